package dev.lustreha.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the health trigger does with a role's alarm in ALARM, and which alarms the reconciler
 * re-arms: pure decisions over the role as stored and the alarm's evaluation window.
 *
 * <p>The epoch an alarm is about is decided from time. A server publishes its role's health only
 * while it owns the role at the current epoch and has mounted the role's targets at that epoch
 * (the bootstrap records {@code mountedEpoch} and {@code mountedAt}); so every datapoint after
 * {@code mountedAt} of epoch E, and every missing one, is about epoch E's owner. An alarm is acted
 * on only when the role is SERVING at E, mounted at E, and the alarm's whole evaluation window
 * starts at or after that {@code mountedAt}: an alarm raised by the silence of a handover, or by
 * the previous owner's last datapoints, never moves the new owner.
 *
 * <p>Flap damping (Pacemaker's migration-threshold and failure-timeout): a role moved on health
 * signals {@code maxMoves} times within {@code window} is not moved again on them until the oldest
 * of those moves leaves the window; it is held for a person, with its alarm left raised.
 *
 * @param maxMoves MaxFailoversPerWindow
 * @param window FailoverWindowMinutes
 */
public record HealthPolicy(int maxMoves, Duration window) {

    public HealthPolicy {
        if (maxMoves < 1) {
            throw new IllegalArgumentException("MaxFailoversPerWindow must be at least 1, not " + maxMoves);
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("FailoverWindowMinutes must be positive, not " + window);
        }
    }

    /** What to do about an alarm in ALARM. */
    public sealed interface Decision permits Move, Hold, Ignore {
    }

    /**
     * Fail the role over: orphan it under its owner and epoch (still mounted at that epoch), and
     * record {@code failovers} (the moves inside the window, this one last).
     */
    public record Move(String owner, long epoch, List<Instant> failovers, String reason) implements Decision {
        public Move {
            failovers = List.copyOf(failovers);
        }
    }

    /** Damped: record {@code reason} on the role and leave the alarm raised for a person. */
    public record Hold(String owner, long epoch, String reason) implements Decision {
    }

    /**
     * Nothing to do. {@code rearm}: the alarm is about data from before the role was mounted at its
     * epoch, and the role now serves mounted: set the alarm back to OK so that CloudWatch evaluates
     * a window of the current owner's data and raises it again if that is breaching too (an alarm
     * that stays in ALARM sends no second event).
     */
    public record Ignore(String reason, boolean rearm) implements Decision {
    }

    /**
     * @param role the role as stored now (a strongly consistent read)
     * @param windowStart where the alarm's evaluation window begins (the start of its oldest period)
     */
    public Decision decide(Role role, Instant windowStart, Instant now) {
        if (role.state() != RoleState.SERVING) {
            return new Ignore("role is " + role.state() + ", not SERVING: a handover is under way or it waits for one",
                    false);
        }
        String owner = role.owner().orElseThrow();
        Optional<Instant> mounted = role.health().mountedAt(role.epoch());
        if (mounted.isEmpty()) {
            return new Ignore("the targets are not reported mounted at epoch " + role.epoch()
                    + ": the alarm is about the handover's silence", false);
        }
        if (windowStart.isBefore(mounted.get())) {
            return new Ignore("the alarm's window starts at " + windowStart + ", before epoch " + role.epoch()
                    + " mounted (" + mounted.get() + "): it is about an earlier owner or the handover", true);
        }
        List<Instant> recent = recent(role, now);
        if (recent.size() >= maxMoves) {
            return new Hold(owner, role.epoch(), "moved " + recent.size() + " times on health signals since "
                    + recent.get(0) + " (MaxFailoversPerWindow " + maxMoves + " in " + window.toMinutes()
                    + " min): not moved again automatically; look at " + owner + ", then clear the alarm");
        }
        List<Instant> failovers = new ArrayList<>(recent);
        failovers.add(now);
        return new Move(owner, role.epoch(), failovers, "health alarm: " + owner + " unhealthy at epoch "
                + role.epoch() + " from " + windowStart + " (move " + failovers.size() + " of at most " + maxMoves
                + " in " + window.toMinutes() + " min)");
    }

    /** The role's health moves inside the window that ends now, oldest first. */
    public List<Instant> recent(Role role, Instant now) {
        Instant from = now.minus(window);
        return role.health().failovers().stream().filter(t -> t.isAfter(from)).sorted().toList();
    }

    /** Whether the role is held for a person now: moved {@code maxMoves} times within the window. */
    public boolean damped(Role role, Instant now) {
        return recent(role, now).size() >= maxMoves;
    }

    /**
     * Whether the reconciler should re-arm a role's alarm that is in ALARM: the role serves,
     * mounted at its epoch for longer than one evaluation window, is not damped, and the alarm has
     * been in ALARM for longer than {@code triggerGrace} without the role moving. Either its
     * ALARM began before the current owner's data could fill a window (the trigger rightly ignored
     * that event, and CloudWatch sends no other while the alarm stays in ALARM), or the trigger's
     * event was lost: re-arming makes CloudWatch evaluate afresh and send a new event if the owner
     * is still unhealthy.
     *
     * @param evaluationWindow the alarm's periods times its period
     */
    public boolean rearm(Role role, Instant alarmSince, Instant now, Duration evaluationWindow, Duration triggerGrace) {
        if (role.state() != RoleState.SERVING || damped(role, now)) {
            return false;
        }
        Optional<Instant> mounted = role.health().mountedAt(role.epoch());
        return mounted.isPresent() && !now.isBefore(mounted.get().plus(evaluationWindow))
                && !now.isBefore(alarmSince.plus(triggerGrace));
    }
}
