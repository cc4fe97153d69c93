package dev.lustreha.reconcile;

import dev.lustreha.domain.EniView;
import dev.lustreha.domain.InstanceState;
import dev.lustreha.domain.InstanceView;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.domain.VolumeView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reconciler's decision (docs/design.md §1, Reconciler): what the tables want against what EC2 and
 * Auto Scaling show, as a pure function from {@link Facts} to a {@link Plan}. It acts through the
 * workflows only (a handover or a release execution, or asking a group to replace an instance):
 * never a direct attach or detach, so every move of a resource is fenced and epoch-guarded.
 *
 * <p>Rules, in order:
 * <ol>
 * <li>A running execution older than the bound raises an {@link Alarm}; it stays in flight.
 * <li>An instance waiting in {@code Pending:Wait} with no execution (its launch event was lost)
 *     gets a handover once it launched longer than the grace ago; one in {@code Terminating:Wait}
 *     gets a release.
 * <li>A role with an execution in flight is left alone: the execution that claimed it, any
 *     execution for its owner, or a standby or repair execution started for it.
 * <li>A role held (CLAIMED or SERVING) by a live owner is repaired through a handover for that
 *     owner when any of its resources is attached to another instance, is attached nowhere, or
 *     when its claim stalled (CLAIMED with nothing running): the owner's claim resumes and the
 *     workflow fences the foreign holder before it detaches anything.
 * <li>Every other role needs a new owner (never claimed, given up, or its owner is not live). In
 *     the order claims prefer (never claimed, given up, dead owner; lowest id first) each goes to
 *     a ready standby of its type in its AZ (lowest instance id first, one role per standby);
 *     without one, a dead owner's role is marked ORPHANED and the owner's group, when it still
 *     counts the owner as healthy, is asked to replace it.
 * </ol>
 *
 * <p>Live means what the claim step means (ClaimPlanner): EC2 says running or pending, and the
 * instance is Pending* or InService and healthy in one of the file system's groups. Starting a
 * handover twice for one instance is harmless (a claim by the same instance resumes, every step is
 * idempotent), so the in-flight checks need not be exact; they keep the reconciler from doing
 * work twice, not from doing harm.
 */
public final class ReconcilePlanner {

    public static final String PENDING_WAIT = "Pending:Wait";
    public static final String TERMINATING_WAIT = "Terminating:Wait";
    public static final String IN_SERVICE = "InService";

    private static final Set<RoleState> HELD = EnumSet.of(RoleState.CLAIMED, RoleState.SERVING);
    private static final Set<RoleState> GIVEN_UP = EnumSet.of(RoleState.ORPHANED, RoleState.RELEASED, RoleState.RELEASING);

    private ReconcilePlanner() {
    }

    // ---------------------------------------------------------------- input

    public enum Workflow { HANDOVER, RELEASE }

    /** A running execution of one of the two workflows. */
    public record RunningExecution(Workflow workflow, String name, Instant startedAt) {
    }

    /**
     * One instance of the file system's Auto Scaling groups.
     *
     * @param lifecycleState as Auto Scaling names it: {@code Pending:Wait}, {@code InService}, ...
     */
    public record Member(String instanceId, String group, RoleType roleType, String lifecycleState, boolean healthy) {

        /** What a group counts as live: healthy, and Pending* or InService. */
        public boolean live() {
            return healthy && (lifecycleState.startsWith("Pending") || IN_SERVICE.equals(lifecycleState));
        }
    }

    /**
     * @param pendingGrace how long after its launch an instance in Pending:Wait is left to its own
     *     lifecycle event before the reconciler starts its handover
     * @param stuckAfter how long an execution may run before it raises an alarm
     */
    public record Bounds(Duration pendingGrace, Duration stuckAfter) {

        /**
         * 60 s of grace (a lifecycle event reaches its trigger within seconds); 45 minutes for an
         * execution, above the handover's own worst case (fence 10 + detach 15 + attach 15 minutes).
         */
        public static Bounds defaults() {
            return new Bounds(Duration.ofSeconds(60), Duration.ofMinutes(45));
        }
    }

    /**
     * What the reconciler knows, read in this order: running executions first, then the tables,
     * then EC2 and Auto Scaling, so that a role changed by an execution that is still running is
     * seen as in flight rather than as drift.
     *
     * @param roles every role of the file system
     * @param resources the registered ENI and volumes of each role
     * @param instances how EC2 describes owners, resource holders and group members; an instance
     *     EC2 no longer lists is absent
     * @param members every instance of the file system's groups
     */
    public record Facts(List<Role> roles, List<RoleResources> resources, Map<String, InstanceView> instances,
            List<Member> members, List<EniView> enis, List<VolumeView> volumes, List<RunningExecution> running,
            Instant now, Bounds bounds) {

        public Facts {
            roles = List.copyOf(roles);
            resources = List.copyOf(resources);
            instances = Map.copyOf(instances);
            members = List.copyOf(members);
            enis = List.copyOf(enis);
            volumes = List.copyOf(volumes);
            running = List.copyOf(running);
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(bounds, "bounds");
        }
    }

    // ---------------------------------------------------------------- output

    /** What to do. Each action is independent of the others: one failing does not stop the rest. */
    public sealed interface Action permits Alarm, StartHandover, StartRelease, Repair, FailOverToStandby, ReplaceOwner {
    }

    /** An execution has run longer than its bound: someone must look. */
    public record Alarm(Workflow workflow, String execution, Duration age) implements Action {
    }

    /** Start the handover an instance in Pending:Wait never got (its launch event was lost). */
    public record StartHandover(String instanceId, String group, RoleType roleType, String execution) implements Action {
    }

    /** Start the release an instance in Terminating:Wait never got (its terminate event was lost). */
    public record StartRelease(String instanceId, String group, RoleType roleType, String execution) implements Action {
    }

    public enum Drift {
        /** Some of the role's resources are attached to an instance that is not its owner. */
        FOREIGN_HOLDER,
        /** Some of the role's resources are attached nowhere. */
        DETACHED,
        /** The role is CLAIMED and nothing runs to finish the handover. */
        STALLED_CLAIM
    }

    /**
     * Start a handover for the role's live owner: its claim resumes, the workflow fences every
     * other holder and moves the resources back. Never a direct detach.
     *
     * @param holders the other instances that hold some of the role's resources
     */
    public record Repair(Role role, String owner, String group, Drift drift, List<String> holders, String execution)
            implements Action {
    }

    /** Start a handover for a ready standby: it claims the role without waiting for a launch. */
    public record FailOverToStandby(Role role, String standby, String group, String execution) implements Action {
    }

    /**
     * No standby: mark the role ORPHANED under its epoch (when its dead owner still holds it), and
     * ask the owner's group to replace the owner (when the group still counts it as healthy). The
     * replacement's handover claims the role.
     */
    public record ReplaceOwner(Role role, String owner, boolean orphan, boolean replace) implements Action {
    }

    /** Why nothing is done about a role or an instance. */
    public enum HoldReason {
        /** An execution concerning it is running. */
        IN_FLIGHT,
        /** In Pending:Wait for less than the grace: its own lifecycle event may still start its handover. */
        LAUNCH_GRACE,
        /** Held by a live owner that holds all of its resources. */
        SERVING,
        /** The role has no registered resources (the pool provisioner registers them). */
        UNREGISTERED,
        /** EC2 no longer lists some of the role's registered resources: no workflow can move them. */
        RESOURCES_GONE,
        /** Never claimed and no standby: a launch claims it. */
        NO_STANDBY,
        /** Given up, its owner already leaving its group, and no standby: the replacement claims it. */
        REPLACEMENT_UNDER_WAY
    }

    /** A role (by id) or an instance the plan leaves alone, and why. */
    public record Hold(String subject, HoldReason reason) {
    }

    public record Plan(List<Action> actions, List<Hold> holds) {

        public Plan {
            actions = List.copyOf(actions);
            holds = List.copyOf(holds);
        }
    }

    // ---------------------------------------------------------------- the decision

    public static Plan plan(Facts f) {
        Index ix = new Index(f);
        List<Action> actions = new ArrayList<>();
        List<Hold> holds = new ArrayList<>();
        // Instances an action of this plan concerns: no second action may concern them.
        Set<String> busy = new HashSet<>();

        for (RunningExecution e : f.running().stream().sorted(Comparator.comparing(RunningExecution::name)).toList()) {
            Duration age = Duration.between(e.startedAt(), f.now());
            if (age.compareTo(f.bounds().stuckAfter()) > 0) {
                actions.add(new Alarm(e.workflow(), e.name(), age));
            }
        }

        for (Member m : f.members().stream().sorted(Comparator.comparing(Member::instanceId)).toList()) {
            boolean launching = PENDING_WAIT.equals(m.lifecycleState());
            boolean terminating = TERMINATING_WAIT.equals(m.lifecycleState());
            if (!launching && !terminating) {
                continue;
            }
            if (ix.inFlight(m.instanceId())) {
                holds.add(new Hold(m.instanceId(), HoldReason.IN_FLIGHT));
            } else if (launching && ix.launchedWithin(m.instanceId(), f.bounds().pendingGrace())) {
                holds.add(new Hold(m.instanceId(), HoldReason.LAUNCH_GRACE));
            } else if (launching) {
                actions.add(new StartHandover(m.instanceId(), m.group(), m.roleType(),
                        ExecutionNames.launch(m.instanceId(), f.now())));
                busy.add(m.instanceId());
            } else {
                actions.add(new StartRelease(m.instanceId(), m.group(), m.roleType(),
                        ExecutionNames.release(m.instanceId(), f.now())));
                busy.add(m.instanceId());
            }
        }

        List<Role> needOwner = new ArrayList<>();
        for (Role r : f.roles().stream().sorted(Comparator.comparing(Role::id)).toList()) {
            String subject = r.id().value();
            RoleResources res = ix.resources.get(r.id());
            if (res == null) {
                holds.add(new Hold(subject, HoldReason.UNREGISTERED));
            } else if (ix.inFlight(r) || r.owner().filter(busy::contains).isPresent()) {
                holds.add(new Hold(subject, HoldReason.IN_FLIGHT));
            } else if (HELD.contains(r.state()) && ix.live(r.owner().orElseThrow())) {
                checkHeld(r, res, ix, f.now(), actions, holds);
            } else {
                needOwner.add(r);
            }
        }

        needOwner.sort(Comparator.comparingInt(ReconcilePlanner::claimClass).thenComparing(Role::id));
        Set<String> taken = new HashSet<>(busy);
        for (Role r : needOwner) {
            Optional<Member> standby = ix.readyStandby(r, taken);
            if (standby.isPresent()) {
                String s = standby.get().instanceId();
                taken.add(s);
                actions.add(new FailOverToStandby(r, s, standby.get().group(), ExecutionNames.standby(s, r, f.now())));
                continue;
            }
            if (r.owner().isEmpty()) {
                holds.add(new Hold(r.id().value(), HoldReason.NO_STANDBY));
                continue;
            }
            String owner = r.owner().get();
            boolean orphan = HELD.contains(r.state());
            boolean replace = ix.countedHealthy(owner);
            if (orphan || replace) {
                actions.add(new ReplaceOwner(r, owner, orphan, replace));
            } else {
                holds.add(new Hold(r.id().value(), HoldReason.REPLACEMENT_UNDER_WAY));
            }
        }
        return new Plan(actions, holds);
    }

    /** A role held by a live owner: serving as it should, or drifted and to be repaired through the workflow. */
    private static void checkHeld(Role r, RoleResources res, Index ix, Instant now, List<Action> actions,
            List<Hold> holds) {
        String owner = r.owner().orElseThrow();
        Set<String> foreign = new TreeSet<>();
        boolean detached = false;
        EniView eni = ix.enis.get(res.network().eniId());
        if (eni == null || res.volumes().stream().anyMatch(v -> !ix.volumes.containsKey(v.volumeId()))) {
            holds.add(new Hold(r.id().value(), HoldReason.RESOURCES_GONE));
            return;
        }
        Optional<String> eniHolder = eni.attachment().map(EniView.Attachment::instanceId);
        detached |= eniHolder.isEmpty();
        eniHolder.filter(h -> !h.equals(owner)).ifPresent(foreign::add);
        for (Volume v : res.volumes()) {
            Optional<String> holder = ix.volumes.get(v.volumeId()).attachment().map(VolumeView.Attachment::instanceId);
            detached |= holder.isEmpty();
            holder.filter(h -> !h.equals(owner)).ifPresent(foreign::add);
        }
        Drift drift;
        if (!foreign.isEmpty()) {
            drift = Drift.FOREIGN_HOLDER;
        } else if (r.state() == RoleState.CLAIMED) {
            drift = Drift.STALLED_CLAIM;
        } else if (detached) {
            drift = Drift.DETACHED;
        } else {
            holds.add(new Hold(r.id().value(), HoldReason.SERVING));
            return;
        }
        actions.add(new Repair(r, owner, ix.members.get(owner).group(), drift, List.copyOf(foreign),
                ExecutionNames.repair(owner, r, now)));
    }

    /** The claim step's preference: never claimed, then given up, then held by a dead owner. */
    private static int claimClass(Role r) {
        if (r.state() == RoleState.VACANT) {
            return 0;
        }
        return GIVEN_UP.contains(r.state()) ? 1 : 2;
    }

    /** Lookups over the facts. */
    private static final class Index {
        final Facts f;
        final Map<RoleId, RoleResources> resources = new HashMap<>();
        final Map<String, EniView> enis = new HashMap<>();
        final Map<String, VolumeView> volumes = new HashMap<>();
        final Map<String, Member> members = new HashMap<>();
        final Set<String> runningNames = new HashSet<>();
        final Set<String> runningInstances = new HashSet<>();
        final Set<String> runningRoles = new HashSet<>();
        final Set<String> owners = new HashSet<>();

        Index(Facts f) {
            this.f = f;
            f.resources().forEach(r -> resources.put(r.role().id(), r));
            f.enis().forEach(e -> enis.put(e.eniId(), e));
            f.volumes().forEach(v -> volumes.put(v.volumeId(), v));
            f.members().forEach(m -> members.put(m.instanceId(), m));
            for (RunningExecution e : f.running()) {
                runningNames.add(e.name());
                ExecutionNames.instanceOf(e.name()).ifPresent(runningInstances::add);
                ExecutionNames.roleOf(e.name()).ifPresent(runningRoles::add);
            }
            f.roles().forEach(r -> r.owner().ifPresent(owners::add));
        }

        boolean inFlight(String instanceId) {
            return runningInstances.contains(instanceId);
        }

        boolean inFlight(Role r) {
            return r.lastExecution().filter(runningNames::contains).isPresent()
                    || r.owner().filter(runningInstances::contains).isPresent()
                    || runningRoles.contains(r.id().value());
        }

        boolean launchedWithin(String instanceId, Duration grace) {
            return Optional.ofNullable(f.instances().get(instanceId)).flatMap(InstanceView::launchedAt)
                    .filter(t -> Duration.between(t, f.now()).compareTo(grace) < 0).isPresent();
        }

        /** What the claim step calls alive: running or pending in EC2, and live in its group. */
        boolean live(String instanceId) {
            InstanceView v = f.instances().get(instanceId);
            Member m = members.get(instanceId);
            return v != null && (v.state() == InstanceState.RUNNING || v.state() == InstanceState.PENDING)
                    && m != null && m.live();
        }

        /** The group still counts this instance as a healthy member: it will not replace it unless asked. */
        boolean countedHealthy(String instanceId) {
            Member m = members.get(instanceId);
            return m != null && m.live();
        }

        /**
         * A standby ready for {@code role}: InService, healthy and running, of the role's type, in
         * its AZ, tagged a standby, owning no role (in any state: one whose handover failed is
         * replaced, not retried), with nothing in flight, not already given a role in this plan.
         */
        Optional<Member> readyStandby(Role role, Set<String> taken) {
            return f.members().stream()
                    .filter(m -> m.roleType() == role.type() && IN_SERVICE.equals(m.lifecycleState()) && m.healthy())
                    .filter(m -> !taken.contains(m.instanceId()) && !owners.contains(m.instanceId())
                            && !inFlight(m.instanceId()))
                    .filter(m -> {
                        InstanceView v = f.instances().get(m.instanceId());
                        return v != null && v.state() == InstanceState.RUNNING
                                && v.availabilityZone().equals(role.availabilityZone())
                                && v.tags().containsKey(Tags.STANDBY);
                    })
                    .min(Comparator.comparing(Member::instanceId));
        }
    }
}
