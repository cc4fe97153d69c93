package dev.lustreha.steps;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleState;
import dev.lustreha.errors.BadInputException;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.roles.ReleaseStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.HandoverState.Claim;
import dev.lustreha.steps.HandoverState.ClaimOutcome;
import dev.lustreha.steps.HandoverState.Move;
import dev.lustreha.steps.HandoverState.Release;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The release phase of a planned move (docs/design.md §3, "Planned moves"), run by the Claim step
 * before it claims: DynamoDB only, so it needs nothing the Claim function does not already have.
 * The first poll writes {@code releaseEpoch} under the owner and epoch; the owner's health agent,
 * which reads the role's item before every datapoint, unmounts its targets (OSTs, MDTs, then the
 * MGT) and writes RELEASED with {@code unmountedEpoch}, under the same owner-and-epoch condition.
 * Past {@code releaseTimeoutSeconds} without that, the role is marked ORPHANED under the owner and
 * epoch, and the claim that follows fences the owner as a failover does: the move never waits
 * forever, and an owner that did not confirm is never treated as gone.
 */
final class PlannedRelease {

    private final RoleStore roles;
    private final ReleaseStore releases;
    private final Clock clock;

    PlannedRelease(RoleStore roles, ReleaseStore releases, Clock clock) {
        this.roles = roles;
        this.releases = releases;
        this.clock = clock;
    }

    /** True while the move's release phase has not ended: the Claim step polls it instead of claiming. */
    static boolean pending(HandoverState s) {
        return s.input() != null && s.input().move() != null && (s.release() == null || !s.release().done());
    }

    HandoverState poll(HandoverState s) {
        Move m = s.input().move();
        if (m.roleId() == null || m.owner() == null) {
            throw new BadInputException("a planned move needs the role and its owner");
        }
        Instant now = clock.instant();
        Release prev = s.release();
        Instant requestedAt = prev == null ? now : prev.requestedAt();
        int polls = (prev == null ? 0 : prev.polls()) + 1;
        RoleKey key = new RoleKey(new FileSystemName(s.input().fileSystem()), RoleId.parse(m.roleId()));
        Optional<Role> role = roles.load(key);
        if (role.isEmpty() || !role.get().isOwnedBy(m.owner()) || role.get().epoch() != m.epoch()) {
            // The role moved on (a failover, another move): nothing to release; the claim does what it finds.
            return ended(s, new Release(true, false, false, requestedAt, polls, 0, "the role is no longer "
                    + m.owner() + "'s at epoch " + m.epoch()));
        }
        Role r = role.get();
        if (r.state() == RoleState.RELEASED && r.health().unmountedAt(m.epoch())) {
            return ended(s, new Release(true, true, false, requestedAt, polls, 0, "the owner unmounted its targets"));
        }
        if (r.state() != RoleState.SERVING) {
            // ORPHANED, RELEASING, CLAIMED: not a serving owner that could let go; the claim fences it.
            return ended(s, new Release(true, false, false, requestedAt, polls, 0, "the role is " + r.state()));
        }
        if (Duration.between(requestedAt, now).getSeconds() >= Math.max(1, m.releaseTimeoutSeconds())) {
            return fallBack(s, key, m, requestedAt, polls);
        }
        if (!r.health().releaseEpoch().filter(e -> e == m.epoch()).isPresent()) {
            try {
                releases.requestRelease(key, m.owner(), m.epoch());
            } catch (StaleEpochException | RoleStateConflictException notServingMounted) {
                // Not mounted at its epoch (or it moved on meanwhile): no graceful release; the claim fences.
                return ended(s, new Release(true, false, false, requestedAt, polls, 0, notServingMounted.getMessage()));
            }
        }
        return s.withRelease(new Release(false, false, false, requestedAt, polls, Math.max(1, m.pollSeconds()), null))
                .withClaim(new Claim(ClaimOutcome.RELEASING, m.roleId(), null, null, null, null, null, null, null, null,
                        null));
    }

    /** The bound passed: ORPHANED under the owner and epoch, unless the owner confirmed at the last moment. */
    private HandoverState fallBack(HandoverState s, RoleKey key, Move m, Instant requestedAt, int polls) {
        try {
            roles.markOrphaned(key, m.owner(), m.epoch());
        } catch (StaleEpochException | RoleStateConflictException raced) {
            Optional<Role> now = roles.load(key);
            boolean confirmed = now.filter(r -> r.isOwnedBy(m.owner()) && r.epoch() == m.epoch()
                    && r.state() == RoleState.RELEASED && r.health().unmountedAt(m.epoch())).isPresent();
            return ended(s, new Release(true, confirmed, false, requestedAt, polls, 0, confirmed
                    ? "the owner unmounted its targets" : raced.getMessage()));
        }
        return ended(s, new Release(true, false, true, requestedAt, polls, 0, "the owner did not confirm within "
                + m.releaseTimeoutSeconds() + " s: the role is ORPHANED and the owner is fenced"));
    }

    private static HandoverState ended(HandoverState s, Release r) {
        // The placeholder claim goes: the Claim step now claims for real.
        return s.withRelease(r).withClaim(null);
    }
}
