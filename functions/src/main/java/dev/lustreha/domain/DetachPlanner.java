package dev.lustreha.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Detaching (docs/design.md §3, step 3): the role's ENI and volumes come off every instance other than
 * the new owner. Never from a holder that is not fenced (I2). A normal detach first; Force only when
 * the holder is fenced and the attachment is stuck: {@code busy}, or {@code detaching} for longer
 * than the bound.
 */
public final class DetachPlanner {

    private DetachPlanner() {
    }

    public enum Kind { ENI, VOLUME }

    /** One detach call to make: for an ENI the attachment id, for a volume the holder. */
    public record Detach(Kind kind, String resourceId, String holder, String attachmentId, boolean force) {
    }

    /**
     * @param detaches calls to make now
     * @param unfenced holders of the role's resources that are not fenced: nothing is detached from
     *     them; the handover must fence them first
     * @param done nothing of the role is attached to another instance any more
     */
    public record Decision(List<Detach> detaches, List<String> unfenced, boolean done) {
    }

    /**
     * @param detachingSince when this handover first asked each resource to detach (or saw it detaching)
     */
    public static Decision decide(String me, EniView eni, List<VolumeView> volumes, Map<String, InstanceView> holders,
            Map<String, Instant> detachingSince, Instant now, Duration stuckAfter) {
        return decide(me, eni, volumes, holders, detachingSince, now, stuckAfter, Set.of());
    }

    /**
     * @param released holders that confirmed they unmounted the role's targets (a planned move): their
     *     attachments are detached while they run, never with Force (a running server's device is
     *     forced off only after a fence); one that stays busy or detaching waits for the move's bound
     */
    public static Decision decide(String me, EniView eni, List<VolumeView> volumes, Map<String, InstanceView> holders,
            Map<String, Instant> detachingSince, Instant now, Duration stuckAfter, Set<String> released) {
        List<Detach> detaches = new ArrayList<>();
        TreeSet<String> unfenced = new TreeSet<>();
        boolean done = true;
        Optional<EniView.Attachment> ea = eni.attachment();
        if (ea.isPresent() && !ea.get().instanceId().equals(me)) {
            done = false;
            String holder = ea.get().instanceId();
            if (released.contains(holder) && !fenced(holder, holders)) {
                if (!"detaching".equals(ea.get().status())) {
                    detaches.add(new Detach(Kind.ENI, eni.eniId(), holder, ea.get().attachmentId(), false));
                }
            } else if (!fenced(holder, holders)) {
                unfenced.add(holder);
            } else if (!"detaching".equals(ea.get().status())) {
                detaches.add(new Detach(Kind.ENI, eni.eniId(), holder, ea.get().attachmentId(), false));
            } else if (stuck(eni.eniId(), detachingSince, now, stuckAfter)) {
                detaches.add(new Detach(Kind.ENI, eni.eniId(), holder, ea.get().attachmentId(), true));
            }
        }
        for (VolumeView v : volumes) {
            Optional<VolumeView.Attachment> va = v.attachment();
            if (va.isEmpty() || va.get().instanceId().equals(me)) {
                continue;
            }
            done = false;
            String holder = va.get().instanceId();
            if (released.contains(holder) && !fenced(holder, holders)) {
                if (!"busy".equals(va.get().state()) && !"detaching".equals(va.get().state())) {
                    detaches.add(new Detach(Kind.VOLUME, v.volumeId(), holder, null, false));
                }
                continue;
            }
            if (!fenced(holder, holders)) {
                unfenced.add(holder);
                continue;
            }
            switch (va.get().state()) {
                case "busy" -> detaches.add(new Detach(Kind.VOLUME, v.volumeId(), holder, null, true));
                case "detaching" -> {
                    if (stuck(v.volumeId(), detachingSince, now, stuckAfter)) {
                        detaches.add(new Detach(Kind.VOLUME, v.volumeId(), holder, null, true));
                    }
                }
                default -> detaches.add(new Detach(Kind.VOLUME, v.volumeId(), holder, null, false));
            }
        }
        return new Decision(List.copyOf(detaches), List.copyOf(unfenced), done);
    }

    private static boolean fenced(String holder, Map<String, InstanceView> holders) {
        InstanceView v = holders.get(holder);
        return v == null || v.state().isFenced();
    }

    private static boolean stuck(String resourceId, Map<String, Instant> since, Instant now, Duration bound) {
        Instant started = since.get(resourceId);
        return started != null && Duration.between(started, now).compareTo(bound) >= 0;
    }
}
