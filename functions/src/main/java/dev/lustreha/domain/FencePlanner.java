package dev.lustreha.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Fencing (docs/design.md §3, step 2): every instance other than the new owner that was the role's
 * owner or holds any of its resources must be {@code stopped} or {@code terminated} before anything
 * is detached. A running or stopping holder is force-stopped (once); pending and shutting-down
 * holders are waited for.
 */
public final class FencePlanner {

    private FencePlanner() {
    }

    /**
     * @param toStop holders to StopInstances now (Force, SkipOsShutdown)
     * @param waitingOn holders not yet fenced (including those being stopped now)
     */
    public record Decision(List<String> toStop, List<String> waitingOn) {
        public boolean fenced() {
            return waitingOn.isEmpty();
        }
    }

    /**
     * @param holders the instances to fence (never the new owner)
     * @param views how EC2 describes them; one EC2 no longer lists is long terminated
     * @param stopsSent holders already sent a forced stop by this handover
     */
    public static Decision decide(Collection<String> holders, Map<String, InstanceView> views, Set<String> stopsSent) {
        return decide(holders, views, stopsSent, Set.of());
    }

    /**
     * @param released holders that confirmed, under their owner and epoch, that they unmounted the
     *     role's targets for a planned move: they write nothing any more and are let go running (the
     *     detach then takes their attachments without Force)
     */
    public static Decision decide(Collection<String> holders, Map<String, InstanceView> views, Set<String> stopsSent,
            Set<String> released) {
        List<String> toStop = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (String h : new TreeSet<>(holders)) {
            InstanceView v = views.get(h);
            if (v == null || v.state().isFenced() || released.contains(h)) {
                continue;
            }
            waiting.add(h);
            if (v.state().isStoppable() && !stopsSent.contains(h)) {
                toStop.add(h);
            }
        }
        return new Decision(List.copyOf(toStop), List.copyOf(waiting));
    }
}
