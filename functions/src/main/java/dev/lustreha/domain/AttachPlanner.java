package dev.lustreha.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Attaching (docs/design.md §3, step 4): the ENI at device index 1 and each volume at its recorded device
 * name, on the new owner once it is running (or stopped: warm attach). Done when everything is
 * attached to it.
 */
public final class AttachPlanner {

    /** The ENI of a role always sits at device index 1 (index 0 is the instance's own primary ENI). */
    public static final int ROLE_ENI_DEVICE_INDEX = 1;

    private AttachPlanner() {
    }

    /**
     * @param attachEni attach the ENI now
     * @param attachVolumes volumes to attach now, at their devices
     * @param heldByOthers resources still attached to another instance: the handover must fence and
     *     detach again
     * @param notReady the new owner is still pending: wait
     * @param done everything is attached to the new owner
     */
    public record Decision(boolean attachEni, List<Volume> attachVolumes, List<String> heldByOthers, boolean notReady,
            boolean done) {
    }

    public static Decision decide(InstanceView me, RoleResources resources, EniView eni, List<VolumeView> volumes) {
        if (me.state() == InstanceState.PENDING) {
            return new Decision(false, List.of(), List.of(), true, false);
        }
        String id = me.instanceId();
        TreeSet<String> held = new TreeSet<>();
        boolean done = true;
        boolean attachEni = false;
        if (eni.isAttachedTo(id)) {
            done &= "attached".equals(eni.attachment().orElseThrow().status());
        } else if (eni.attachment().isPresent()) {
            held.add(eni.eniId());
            done = false;
        } else {
            attachEni = "available".equals(eni.status());
            done = false;
        }
        Map<String, VolumeView> byId = volumes.stream()
                .collect(Collectors.toMap(VolumeView::volumeId, Function.identity()));
        List<Volume> attach = new ArrayList<>();
        for (Volume v : resources.volumes()) {
            VolumeView view = byId.get(v.volumeId());
            if (view == null) {
                throw new IllegalStateException("volume " + v.volumeId() + " of " + resources.role() + " does not exist");
            }
            if (view.isAttachedTo(id)) {
                done &= "attached".equals(view.attachment().orElseThrow().state());
            } else if (view.attachment().isPresent()) {
                held.add(v.volumeId());
                done = false;
            } else {
                if (view.isAvailable()) {
                    attach.add(v);
                }
                done = false;
            }
        }
        return new Decision(attachEni, List.copyOf(attach), List.copyOf(held), false, done);
    }
}
