package dev.lustreha.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lustreha.config.Json;
import dev.lustreha.domain.Role;
import dev.lustreha.reconcile.ExecutionNames;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.ExecutionStarter;
import java.time.Instant;

/**
 * Starts a planned move (docs/operations.md, "Moving a role"): the handover workflow for the
 * instance the role goes to, with a {@link HandoverState.Move} that makes its Claim step first ask
 * the owner to unmount. The same input an operator's {@code ./lustre-ha move} would start against
 * an account; here against the local cloud's executions.
 */
public final class PlannedMoves {

    private PlannedMoves() {
    }

    static String start(ExecutionStarter executions, String handoverArn, FileSystemSpec spec, Role role, String to,
            HandoverState.Poll poll, int releaseTimeoutSeconds, Instant now) {
        String owner = role.owner().orElseThrow(() -> new IllegalArgumentException(role.id() + " has no owner to move from"));
        if (owner.equals(to)) {
            throw new IllegalArgumentException(role.id() + " is already on " + to);
        }
        String name = ExecutionNames.move(to, role, now);
        HandoverState state = new HandoverState(new HandoverState.Input(spec.name().value(), to, role.type().name(),
                spec.groupOf(role.type()), LocalCloud.LAUNCH_HOOK, null, "autoscaling:EC2_INSTANCE_LAUNCHING", name, poll,
                new HandoverState.Move(role.id().value(), owner, role.epoch(), releaseTimeoutSeconds,
                        HandoverState.Move.DEFAULT_POLL_SECONDS)),
                null, null, null, null, null, null, null, null);
        try {
            executions.start(handoverArn, name, Json.MAPPER.writeValueAsString(state));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return name;
    }
}
