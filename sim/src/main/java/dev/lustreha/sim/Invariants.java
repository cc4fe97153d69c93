package dev.lustreha.sim;

import dev.lustreha.domain.HealthPolicy;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.cloud.History;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The invariants of docs/design.md §4, checked from the simulated cloud's recorded history (what EC2 and
 * Auto Scaling did), never from lustre-ha's own logs.
 */
public final class Invariants {

    /** A broken invariant, I1..I9, with what happened and when. */
    public record Violation(String invariant, String detail) {
    }

    /**
     * What a stale step must never do (I3): change an attachment or a tag (or its table item, checked
     * apart), or stop a server. Completing its own lifecycle action is not among them: a superseded
     * handover still ends the action it was started for.
     */
    private static final Set<String> STALE_WRITES = Set.of("Ec2.AttachVolume", "Ec2.DetachVolume",
            "Ec2.AttachNetworkInterface", "Ec2.DetachNetworkInterface", "Ec2.CreateTags", "Ec2.DeleteTags",
            "Ec2.StopInstances", "Ec2.TerminateInstances");

    private Invariants() {
    }

    /**
     * Checks the whole history.
     *
     * @param finished true when the run is over: a lifecycle action still open then counts as
     *     left to time out
     */
    public static List<Violation> check(History history, List<RoleResources> pool, boolean finished) {
        Checker checker = new Checker(pool);
        checker.catchUp(history);
        return finished ? checker.finish() : checker.violations();
    }

    /**
     * The same checks, made as the history grows: {@link #catchUp} after every step of a run reads
     * the entries added since the last call, so a violation is found at the step that made it.
     */
    public static final class Checker {
        private final List<RoleResources> pool;
        private final Map<String, String> roleOfResource = new HashMap<>();
        private final Map<String, String> holder = new HashMap<>();
        private final Set<String> reportedI1 = new HashSet<>();
        private final Map<String, Long> epochTagged = new HashMap<>();
        private final Map<String, Set<String>> formatted = new HashMap<>();
        private final Set<String> openActions = new LinkedHashSet<>();
        private final List<Violation> out = new ArrayList<>();
        private int seen;
        /** The handover step running now, when it runs with an epoch older than its role's: a stale writer. */
        private History.Entry staleStep;
        private final HealthPolicy damping;
        /** Each instance's EC2 state, as last recorded. */
        private final Map<String, String> instanceState = new HashMap<>();
        /** Instances their group no longer counts healthy (marked unhealthy, replaced, terminating). */
        private final Set<String> groupGaveUp = new HashSet<>();
        /** Per role: when lustre-ha took it from a server nothing else called failed (I8), and from whom. */
        private final Map<String, List<Instant>> judgementMoves = new HashMap<>();
        private final Set<String> countedMoves = new HashSet<>();
        private final Set<String> reportedI8 = new HashSet<>();
        /** Per instance: the roles it confirmed it unmounted for a planned move (Guest.Unmounted), I2 and I9. */
        private final Map<String, Set<String>> unmounted = new HashMap<>();

        public Checker(List<RoleResources> pool) {
            this(pool, LocalCloud.HEALTH.policy());
        }

        /** @param damping MaxFailoversPerWindow in FailoverWindowMinutes, for I8 */
        public Checker(List<RoleResources> pool, HealthPolicy damping) {
            this.pool = pool;
            this.damping = damping;
            for (RoleResources r : pool) {
                roleOfResource.put(r.network().eniId(), r.role().id().value());
                for (Volume v : r.volumes()) {
                    roleOfResource.put(v.volumeId(), r.role().id().value());
                }
            }
        }

        /** Checks the entries recorded since the last call. */
        public void catchUp(History history) {
            List<History.Entry> entries = history.entriesFrom(seen);
            for (History.Entry e : entries) {
                feed(e);
            }
            seen += entries.size();
        }

        /** Adds a violation found outside the history (I6 liveness, I7 inert input). */
        public void report(Violation v) {
            out.add(v);
        }

        public List<Violation> violations() {
            return List.copyOf(out);
        }

        /** The violations once the run is over: a lifecycle action still open counts as left to time out. */
        public List<Violation> finish() {
            List<Violation> all = new ArrayList<>(out);
            for (String token : openActions) {
                all.add(new Violation("I5", "lifecycle action " + token + " still open at the end of the run"));
            }
            return all;
        }

        private void feed(History.Entry e) {
            if (e.action().equals("Sfn.TaskStarted")) {
                String current = e.get("roleEpoch");
                staleStep = current != null && Long.parseLong(current) > Long.parseLong(e.get("epoch")) ? e : null;
                return;
            }
            if (e.action().equals("Sfn.TaskEnded")) {
                if (staleStep != null && Boolean.parseBoolean(e.get("roleChanged"))) {
                    out.add(new Violation("I3", e.at() + " " + staleDescription() + " changed the role's table item"));
                }
                staleStep = null;
                return;
            }
            if (staleStep != null && STALE_WRITES.contains(e.action())) {
                out.add(new Violation("I3", e.at() + " " + staleDescription() + " made " + e.action() + " "
                        + e.details()));
            }
            switch (e.action()) {
                case "Ec2.AttachVolume" -> holder.put(e.get("volume"), e.get("instance"));
                case "Ec2.VolumeDetached", "Ec2.VolumeReleased" -> holder.remove(e.get("volume"));
                case "Ec2.AttachNetworkInterface" -> holder.put(e.get("eni"), e.get("instance"));
                case "Ec2.NetworkInterfaceDetached", "Ec2.NetworkInterfaceReleased" -> holder.remove(e.get("eni"));
                case "Ec2.DetachVolume", "Ec2.DetachNetworkInterface" -> {
                    String state = e.get("holderState");
                    String resource = e.get("volume") != null ? e.get("volume") : e.get("eni");
                    boolean force = Boolean.parseBoolean(e.get("force"));
                    boolean released = released(e.get("instance"), roleOfResource.get(resource));
                    if (released && force) {
                        out.add(new Violation("I9", e.at() + " " + resource + " force-detached from " + e.get("instance")
                                + ", which had confirmed it unmounted " + roleOfResource.get(resource)));
                    }
                    if (!"stopped".equals(state) && !"terminated".equals(state) && !(released && !force)) {
                        out.add(new Violation("I2", e.at() + " " + e.action() + " of "
                                + (e.get("volume") != null ? e.get("volume") : e.get("eni")) + " from " + e.get("instance")
                                + " while it was " + state + (Boolean.parseBoolean(e.get("force")) ? " (forced)" : "")));
                    }
                }
                case "Ec2.CreateTags" -> {
                    String tags = e.get("tags");
                    String resource = e.get("resource");
                    Long epoch = epochIn(tags);
                    if (epoch != null && roleOfResource.containsKey(resource)) {
                        Long before = epochTagged.get(resource);
                        if (before != null && epoch < before) {
                            out.add(new Violation("I3", e.at() + " " + resource + " of "
                                    + roleOfResource.get(resource) + " tagged with epoch " + epoch + " after epoch " + before));
                        }
                        epochTagged.merge(resource, epoch, Math::max);
                    }
                }
                case "Ec2.DeleteVolume" -> {
                    if (roleOfResource.containsKey(e.get("volume"))) {
                        out.add(new Violation("I4", e.at() + " data volume " + e.get("volume") + " deleted"));
                    }
                }
                case "Guest.Format" -> {
                    if (!formatted.computeIfAbsent(e.get("volume"), k -> new TreeSet<>()).add(e.get("epoch"))
                            || formatted.get(e.get("volume")).size() > 1) {
                        out.add(new Violation("I4", e.at() + " volume " + e.get("volume") + " of " + e.get("role")
                                + " formatted again (epochs " + formatted.get(e.get("volume")) + ")"));
                    }
                }
                case "Ec2.InstanceState" -> instanceState.put(e.get("instance"), e.get("state"));
                case "Guest.Unmounted" -> unmounted.computeIfAbsent(e.get("instance"), k -> new TreeSet<>())
                        .add(e.get("role"));
                case "Guest.Mounted" -> unmounted.getOrDefault(e.get("instance"), new TreeSet<>()).remove(e.get("role"));
                case "Ec2.StopInstances" -> {
                    if ("true".equals(e.get("force")) && stillHoldsReleased(e.get("instance"))) {
                        out.add(new Violation("I9", e.at() + " forced stop of " + e.get("instance") + ", which had "
                                + "confirmed it unmounted " + unmounted.get(e.get("instance")) + " and still held it"));
                    }
                    // lustre-ha's fence always forces; a plain stop is a fault the simulation made.
                    if ("true".equals(e.get("force")) && "running".equals(e.get("previousState"))) {
                        judgementMove(e, e.get("instance"));
                    }
                }
                case "AutoScaling.SetInstanceHealth" -> {
                    if ("Unhealthy".equals(e.get("health"))) {
                        if ("running".equals(instanceState.get(e.get("instance")))) {
                            judgementMove(e, e.get("instance"));
                        }
                        groupGaveUp.add(e.get("instance"));
                    }
                }
                case "AutoScaling.LaunchBeforeTerminate", "AutoScaling.Terminating" -> groupGaveUp.add(e.get("instance"));
                case "AutoScaling.LifecycleActionStarted" -> openActions.add(e.get("token"));
                case "AutoScaling.CompleteLifecycleAction", "AutoScaling.LifecycleActionCancelled" ->
                        openActions.remove(e.get("token"));
                case "AutoScaling.LifecycleActionTimeout" -> {
                    openActions.remove(e.get("token"));
                    out.add(new Violation("I5", e.at() + " lifecycle action of " + e.get("instance") + " (" + e.get("hook")
                            + ") timed out; " + e.get("defaultResult") + " applied"));
                }
                default -> {
                }
            }
            checkSingleOwner(e, holder, pool, reportedI1, out);
        }

        /**
         * I8: lustre-ha itself declared a server failed — force-stopped it, or told its group it is
         * unhealthy — while EC2 said it was running and its group still counted it healthy: a move
         * nothing but lustre-ha's own judgement (the health signal) asked for. Counted once per role
         * and server; more than MaxFailoversPerWindow of them for one role inside any window of
         * FailoverWindowMinutes is a failover storm. Moves that EC2 or Auto Scaling called for (a
         * server stopped, terminated, or replaced after failing its status checks) are not counted.
         */
        private void judgementMove(History.Entry e, String instance) {
            if (groupGaveUp.contains(instance)) {
                return;
            }
            for (RoleResources r : pool) {
                String role = r.role().id().value();
                if (!instance.equals(holder.get(r.network().eniId())) || !countedMoves.add(role + "@" + instance)) {
                    continue;
                }
                List<Instant> moves = judgementMoves.computeIfAbsent(role, k -> new ArrayList<>());
                moves.add(e.at());
                Instant from = e.at().minus(damping.window());
                long inWindow = moves.stream().filter(t -> t.isAfter(from)).count();
                if (inWindow > damping.maxMoves() && reportedI8.add(role + e.at())) {
                    out.add(new Violation("I8", e.at() + " " + role + " taken from " + instance + " (running, healthy in "
                            + "its group): " + inWindow + " such moves within " + damping.window().toMinutes()
                            + " min, more than MaxFailoversPerWindow " + damping.maxMoves()));
                }
            }
        }

        /** The instance confirmed it unmounted {@code role} (a planned move) and has not mounted it since. */
        private boolean released(String instance, String role) {
            return role != null && unmounted.getOrDefault(instance, Set.of()).contains(role);
        }

        /** The instance holds a resource of a role it confirmed it unmounted: a planned move under way. */
        private boolean stillHoldsReleased(String instance) {
            for (Map.Entry<String, String> h : holder.entrySet()) {
                if (instance.equals(h.getValue()) && released(instance, roleOfResource.get(h.getKey()))) {
                    return true;
                }
            }
            return false;
        }

        private String staleDescription() {
            return "step " + staleStep.get("state") + " of " + staleStep.get("execution") + " with epoch "
                    + staleStep.get("epoch") + " (" + staleStep.get("role") + " was at epoch " + staleStep.get("roleEpoch")
                    + ")";
        }
    }

    private static void checkSingleOwner(History.Entry e, Map<String, String> holder, List<RoleResources> pool,
            Set<String> reported, List<Violation> out) {
        for (RoleResources r : pool) {
            Set<String> holders = new TreeSet<>();
            String eniHolder = holder.get(r.network().eniId());
            if (eniHolder != null) {
                holders.add(eniHolder);
            }
            for (Volume v : r.volumes()) {
                String h = holder.get(v.volumeId());
                if (h != null) {
                    holders.add(h);
                }
            }
            String role = r.role().id().value();
            if (holders.size() > 1 && reported.add(role + holders)) {
                out.add(new Violation("I1", e.at() + " " + role + "'s resources held by " + holders + " at once"));
            }
        }
    }

    private static Long epochIn(String tags) {
        if (tags == null) {
            return null;
        }
        for (String kv : tags.split(",")) {
            if (kv.startsWith(Tags.EPOCH + "=")) {
                return Long.parseLong(kv.substring(Tags.EPOCH.length() + 1));
            }
        }
        return null;
    }
}
