package dev.lustreha.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Config;
import dev.lustreha.domain.InstanceState;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleState;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.roles.RoleStore;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An EC2 state-change event: when the owner of a role leaves {@code running}, its roles become
 * ORPHANED (each conditional on owner and epoch, so a late event cannot orphan a newer claim) and
 * are failed over at once: by default its Auto Scaling group is asked to replace it now; with the
 * reconciler as {@link Failover}, a ready standby takes the role without waiting for a launch.
 * Events about other instances change nothing.
 */
public final class StateChangeTrigger {

    static final String DETAIL_TYPE = "EC2 Instance State-change Notification";
    private static final Set<RoleState> HELD = EnumSet.of(RoleState.CLAIMED, RoleState.SERVING);

    private final Config config;
    private final RoleStore store;
    private final Failover failover;

    /** Fails over by asking the dead owner's group to replace it. */
    public StateChangeTrigger(Config config, RoleStore store, Ec2Gateway aws) {
        this(config, store, (owner, roles) -> aws.markUnhealthy(owner)
                ? "group asked to replace it" : "no group manages it");
    }

    public StateChangeTrigger(Config config, RoleStore store, Failover failover) {
        this.config = config;
        this.store = store;
        this.failover = failover;
    }

    public TriggerResult handle(JsonNode event) {
        if (event == null || !event.isObject()) {
            return TriggerResult.rejected("the event is not a JSON object");
        }
        if (!"aws.ec2".equals(Events.text(event, "source").orElse(""))
                || !DETAIL_TYPE.equals(Events.text(event, "detail-type").orElse(""))) {
            return TriggerResult.rejected("not an EC2 Instance State-change Notification");
        }
        JsonNode d = event.get("detail");
        if (d == null || !d.isObject()) {
            return TriggerResult.rejected("state change without a detail object");
        }
        Optional<String> instance = Events.text(d, "instance-id").filter(i -> Events.INSTANCE_ID.matcher(i).matches());
        if (instance.isEmpty()) {
            return TriggerResult.rejected("instance-id missing or malformed: " + d.get("instance-id"));
        }
        String id = instance.get();
        InstanceState state;
        try {
            state = InstanceState.ofWire(Events.text(d, "state").orElse(""));
        } catch (IllegalArgumentException e) {
            return TriggerResult.rejected("state missing or unknown: " + d.get("state"));
        }
        if (state == InstanceState.RUNNING || state == InstanceState.PENDING) {
            return new TriggerResult("NOOP", "instance is " + state.wire(), id, null);
        }
        List<String> orphaned = new ArrayList<>();
        for (Role r : store.list(config.fileSystem())) {
            if (r.isOwnedBy(id) && HELD.contains(r.state())) {
                try {
                    store.markOrphaned(r.key(), id, r.epoch());
                    orphaned.add(r.id().value());
                } catch (StaleEpochException | RoleStateConflictException moved) {
                    // Claimed anew or already given up since we read it: nothing to do.
                }
            }
        }
        if (orphaned.isEmpty()) {
            return new TriggerResult("NOOP", "instance owns no role", id, null);
        }
        String failedOver = failover.failOver(id, List.copyOf(orphaned));
        return new TriggerResult("ORPHANED", "roles " + orphaned + " orphaned; instance is " + state.wire() + "; "
                + failedOver, id, null);
    }
}
