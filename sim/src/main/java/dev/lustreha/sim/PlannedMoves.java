package dev.lustreha.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lustreha.config.Json;
import dev.lustreha.domain.Role;
import dev.lustreha.reconcile.ExecutionNames;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.ExecutionStarter;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Tags;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.autoscaling.model.LifecycleState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * Starts a planned move (docs/operations.md, "Moving a role"): the handover workflow for the
 * instance the role goes to, with a {@link HandoverState.Move} that makes its Claim step first ask
 * the owner to unmount. The same input an operator's {@code ./lustre-ha move} would start against
 * an account; here against the local cloud's executions.
 */
public final class PlannedMoves {

    /** The release bound of the moves a scenario starts: long enough for a guest scan and an unmount, short enough to show the fallback. */
    public static final int SCENARIO_RELEASE_TIMEOUT_SECONDS = 60;

    private PlannedMoves() {
    }

    /**
     * A scenario's {@code move} (to a ready standby of the role's group) or {@code unmount-hangs}
     * (the owner never confirms a release) for {@code roleId}; empty when done, else why not.
     */
    public static Optional<String> inject(LocalCloud cloud, String roleId, boolean move) {
        Role role = cloud.role(roleId);
        String owner = role.owner().orElse(null);
        if (owner == null) {
            return Optional.of(roleId + " has no owner");
        }
        if (!move) {
            cloud.unmountHangs(owner);
            return Optional.empty();
        }
        Optional<String> to = readyStandby(cloud, role.type());
        if (to.isEmpty()) {
            return Optional.of("no ready standby to move " + roleId + " to");
        }
        cloud.startMove(roleId, to.get(), SCENARIO_RELEASE_TIMEOUT_SECONDS);
        return Optional.empty();
    }

    /** A standby of the role type's group: tagged so, owning no role, InService, running. */
    public static Optional<String> readyStandby(LocalCloud cloud, RoleType type) {
        Set<String> owners = cloud.roles().stream().map(Role::owner).flatMap(Optional::stream).collect(Collectors.toSet());
        return cloud.sim().autoScaling().instancesOf(cloud.spec().groupOf(type)).stream()
                .filter(i -> !owners.contains(i) && cloud.sim().ec2().tagsOf(i).containsKey(Tags.STANDBY))
                .filter(i -> cloud.sim().autoScaling().lifecycleStateOf(i).filter(LifecycleState.IN_SERVICE::equals)
                        .isPresent())
                .filter(i -> cloud.sim().ec2().stateOf(i).filter(InstanceStateName.RUNNING::equals).isPresent())
                .sorted().findFirst();
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
