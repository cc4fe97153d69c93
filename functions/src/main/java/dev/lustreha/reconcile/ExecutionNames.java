package dev.lustreha.reconcile;

import dev.lustreha.domain.Role;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of workflow executions, and what a name says about the instance (and role) it concerns.
 * The lifecycle trigger names its executions {@code launch-<instance>-<token>} and
 * {@code release-<instance>-<token>}; the reconciler names its own
 * {@code launch-<instance>-r<minute>}, {@code release-<instance>-r<minute>},
 * {@code standby-<instance>-<role>-e<epoch>-r<minute>} and {@code repair-<instance>-<role>-e<epoch>-r<minute>};
 * an operator's planned move is {@code move-<instance>-<role>-e<epoch>-r<minute>}.
 *
 * <p>Step Functions starts a name once (a second start is {@code ExecutionAlreadyExists}, or the
 * same execution while it runs with the same input), so two reconciler runs in the same minute
 * start each execution at most once. The minute makes a later run able to try again when an
 * earlier attempt ended without fixing anything; runs in different minutes are kept apart by the
 * running execution, which the later run sees and does not act against. At most 71 characters
 * (the limit is 80), none of the forbidden ones.
 */
public final class ExecutionNames {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile(
            "(launch|release|standby|repair|move)-(i-[0-9a-f]{8,17})(?:-(mgs|mds\\d{2,4}|oss\\d{2,4})-e\\d+)?(?:-.*)?");

    private ExecutionNames() {
    }

    /** A handover for an instance waiting in Pending:Wait whose lifecycle event never started one. */
    public static String launch(String instanceId, Instant now) {
        return "launch-" + instanceId + "-r" + MINUTE.format(now);
    }

    /** A release for an instance waiting in Terminating:Wait whose lifecycle event never started one. */
    public static String release(String instanceId, Instant now) {
        return "release-" + instanceId + "-r" + MINUTE.format(now);
    }

    /** A handover of {@code role}, seen at its epoch, to a standby. */
    public static String standby(String instanceId, Role role, Instant now) {
        return "standby-" + instanceId + "-" + role.id().value() + "-e" + role.epoch() + "-r" + MINUTE.format(now);
    }

    /** A handover that resumes the owner's own claim of {@code role} to move its resources back. */
    public static String repair(String instanceId, Role role, Instant now) {
        return "repair-" + instanceId + "-" + role.id().value() + "-e" + role.epoch() + "-r" + MINUTE.format(now);
    }

    /** A planned move of {@code role}, seen at its epoch, to {@code instanceId}. */
    public static String move(String instanceId, Role role, Instant now) {
        return "move-" + instanceId + "-" + role.id().value() + "-e" + role.epoch() + "-r" + MINUTE.format(now);
    }

    /** The instance an execution concerns, when its name is one of ours. */
    public static Optional<String> instanceOf(String name) {
        Matcher m = NAME.matcher(name == null ? "" : name);
        return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
    }

    /** The role a standby or repair execution was started for; launches and releases name none. */
    public static Optional<String> roleOf(String name) {
        Matcher m = NAME.matcher(name == null ? "" : name);
        if (!m.matches() || !(m.group(1).equals("standby") || m.group(1).equals("repair") || m.group(1).equals("move"))) {
            return Optional.empty();
        }
        return Optional.ofNullable(m.group(3));
    }
}
