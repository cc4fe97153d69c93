package dev.lustreha.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lustreha.config.Config;
import dev.lustreha.config.HealthSettings;
import dev.lustreha.config.Json;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.EniView;
import dev.lustreha.domain.InstanceView;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Volume;
import dev.lustreha.domain.VolumeView;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.domain.HealthPolicy;
import dev.lustreha.health.HealthAlarms;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.reconcile.ReconcilePlanner.Action;
import dev.lustreha.reconcile.ReconcilePlanner.Alarm;
import dev.lustreha.reconcile.ReconcilePlanner.FailOverToStandby;
import dev.lustreha.reconcile.ReconcilePlanner.Hold;
import dev.lustreha.reconcile.ReconcilePlanner.Member;
import dev.lustreha.reconcile.ReconcilePlanner.Repair;
import dev.lustreha.reconcile.ReconcilePlanner.ReplaceOwner;
import dev.lustreha.reconcile.ReconcilePlanner.RunningExecution;
import dev.lustreha.reconcile.ReconcilePlanner.StartHandover;
import dev.lustreha.reconcile.ReconcilePlanner.StartRelease;
import dev.lustreha.reconcile.ReconcilePlanner.Workflow;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.ExecutionLister;
import dev.lustreha.trigger.ExecutionStarter;
import dev.lustreha.trigger.Failover;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The reconciler (docs/design.md §1): gathers the facts, lets {@link ReconcilePlanner} decide, and
 * carries out each action on its own — one that fails is reported and the others still run.
 * Every resource move goes through a workflow execution; the only direct writes are marking a dead
 * owner's role ORPHANED under its epoch and asking a group to replace an instance.
 *
 * <p>It runs on a schedule, and as the state-change trigger's {@link Failover}, so that a role
 * whose owner just died goes to a ready standby at once.
 */
public final class Reconciler implements Failover {

    /** How long the health trigger has to act on a raised alarm before the reconciler re-arms it. */
    static final Duration TRIGGER_GRACE = Duration.ofSeconds(60);

    /** What one action came to. */
    public record Outcome(String action, String subject, String execution, String result, String detail) {
    }

    /**
     * One run: what was done, what was left alone and why, and how many actions failed.
     *
     * @param notServing roles not SERVING when the run looked (an alarm watches it stay above zero)
     * @param damped roles the health trigger holds for a person (flap damping; an alarm watches it)
     * @param notMounted roles recorded SERVING whose owner's bootstrap has not reported their
     *     targets mounted at the role's epoch ({@code mountedEpoch}): recorded, but not served. A
     *     fresh handover counts here until the bootstrap mounts (seconds to a minute, longer on a
     *     first format), so the alarm on it wants the count above zero for a whole period.
     */
    public record Summary(Instant at, List<Outcome> actions, List<Hold> holds, int alarms, int failures, int notServing,
            int damped, int notMounted) {

        /** One line per action, for the trigger's report. */
        public String describe() {
            if (actions.isEmpty()) {
                return "nothing to do";
            }
            return actions.stream().map(o -> o.action() + " " + o.subject()
                            + (o.execution() == null ? "" : " (" + o.execution() + ")") + ": " + o.result())
                    .collect(Collectors.joining("; "));
        }
    }

    private final Config config;
    private final RoleStore store;
    private final Ec2Gateway aws;
    private final ExecutionStarter starter;
    private final ExecutionLister lister;
    private final Clock clock;
    private final HandoverState.Poll poll;
    private final ReconcilePlanner.Bounds bounds;
    /** The health alarms to re-arm, or null where there are none (a reconciler without health detection). */
    private final HealthAlarms alarms;
    private final HealthSettings health;

    public Reconciler(Config config, RoleStore store, Ec2Gateway aws, ExecutionStarter starter, ExecutionLister lister,
            Clock clock, HandoverState.Poll poll, ReconcilePlanner.Bounds bounds) {
        this(config, store, aws, starter, lister, clock, poll, bounds, null, HealthSettings.DEFAULTS);
    }

    /**
     * @param alarms the health alarms: each run re-arms those a move should have followed and none
     *     did ({@link HealthPolicy#rearm}); null for none
     */
    public Reconciler(Config config, RoleStore store, Ec2Gateway aws, ExecutionStarter starter, ExecutionLister lister,
            Clock clock, HandoverState.Poll poll, ReconcilePlanner.Bounds bounds, HealthAlarms alarms,
            HealthSettings health) {
        this.alarms = alarms;
        this.health = health;
        this.config = config;
        this.store = store;
        this.aws = aws;
        this.starter = starter;
        this.lister = lister;
        this.clock = clock;
        this.poll = poll;
        this.bounds = bounds;
    }

    /** One run: gather, plan, act. Failing to gather the facts fails the run; a failing action does not. */
    public Summary reconcile() {
        ReconcilePlanner.Facts facts = gather();
        ReconcilePlanner.Plan plan = ReconcilePlanner.plan(facts);
        List<Outcome> outcomes = new ArrayList<>();
        for (Action a : plan.actions()) {
            outcomes.add(execute(a));
        }
        if (alarms != null) {
            outcomes.addAll(rearmHealthAlarms(facts));
        }
        int stuck = (int) plan.actions().stream().filter(Alarm.class::isInstance).count();
        int failures = (int) outcomes.stream().filter(o -> "FAILED".equals(o.result())).count();
        int notServing = (int) facts.roles().stream().filter(r -> r.state() != RoleState.SERVING).count();
        int damped = (int) facts.roles().stream().filter(r -> health.policy().damped(r, facts.now())).count();
        int notMounted = (int) facts.roles().stream().filter(Reconciler::servingNotMounted).count();
        return new Summary(facts.now(), List.copyOf(outcomes), plan.holds(), stuck, failures, notServing, damped,
                notMounted);
    }

    /** Recorded SERVING, but its targets never reported mounted at its current epoch. */
    static boolean servingNotMounted(Role r) {
        return r.state() == RoleState.SERVING && r.health().mountedAt(r.epoch()).isEmpty();
    }

    /**
     * Re-arms each raised health alarm whose role serves mounted, undamped, for longer than one
     * evaluation window while the alarm stayed raised past {@link #TRIGGER_GRACE}: its event was
     * rightly ignored (about the handover's silence) or lost, and CloudWatch sends no new one while
     * the alarm stays in ALARM. Re-armed, it is raised again with a fresh event if the owner is
     * still unhealthy, and the health trigger decides on that.
     */
    private List<Outcome> rearmHealthAlarms(ReconcilePlanner.Facts facts) {
        List<Outcome> out = new ArrayList<>();
        List<HealthAlarms.Raised> raised;
        try {
            raised = alarms.raised(config.fileSystem());
        } catch (RuntimeException e) {
            return List.of(new Outcome("RearmHealthAlarms", config.fileSystem().value(), null, "FAILED",
                    e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        for (HealthAlarms.Raised a : raised) {
            Optional<Role> role = facts.roles().stream().filter(r -> r.id().equals(a.role())).findFirst();
            if (role.isEmpty() || !health.policy().rearm(role.get(), a.since(), facts.now(), health.alarm().window(),
                    TRIGGER_GRACE)) {
                continue;
            }
            String why = "in ALARM since " + a.since() + " while " + a.role() + " serves mounted at epoch "
                    + role.get().epoch() + ": evaluate afresh";
            try {
                alarms.rearm(a.alarmName(), "lustre-ha reconciler re-armed: " + why);
                out.add(new Outcome("RearmHealthAlarm", a.role().value(), null, "REARMED", why));
            } catch (RuntimeException e) {
                out.add(new Outcome("RearmHealthAlarm", a.role().value(), null, "FAILED",
                        e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return out;
    }

    /**
     * The state-change trigger's failover: a reconcile run right away, which hands the orphaned
     * roles to ready standbys or asks the owner's group to replace it. When the run cannot even
     * gather its facts, the group is asked to replace the owner, as without a reconciler.
     */
    @Override
    public String failOver(String deadOwner, List<String> orphanedRoles) {
        try {
            return "reconciled: " + reconcile().describe();
        } catch (RuntimeException e) {
            boolean asked = aws.markUnhealthy(deadOwner);
            return "reconcile failed (" + e.getMessage() + "); "
                    + (asked ? "group asked to replace it" : "no group manages it");
        }
    }

    // ---------------------------------------------------------------- facts

    /**
     * Reads executions first, then the tables, then EC2 and Auto Scaling (see {@link
     * ReconcilePlanner.Facts}).
     */
    ReconcilePlanner.Facts gather() {
        List<RunningExecution> running = new ArrayList<>();
        for (ExecutionLister.Running r : lister.running(required(config.handoverStateMachineArn(), "handover"))) {
            running.add(new RunningExecution(Workflow.HANDOVER, r.name(), r.startedAt()));
        }
        for (ExecutionLister.Running r : lister.running(required(config.releaseStateMachineArn(), "release"))) {
            running.add(new RunningExecution(Workflow.RELEASE, r.name(), r.startedAt()));
        }
        List<Role> roles = store.list(config.fileSystem());
        List<RoleResources> resources = store.resources(config.fileSystem());

        List<Member> members = new ArrayList<>();
        for (Ec2Gateway.GroupMember m : aws.groupMembers(config.groups().values())) {
            Optional<RoleType> type = config.roleTypeOfGroup(m.group());
            type.ifPresent(t -> members.add(new Member(m.instanceId(), m.group(), t, m.lifecycleState(), m.healthy())));
        }
        List<String> eniIds = resources.stream().map(r -> r.network().eniId()).toList();
        List<String> volumeIds = resources.stream().flatMap(r -> r.volumes().stream()).map(Volume::volumeId).toList();
        List<EniView> enis = aws.enis(eniIds);
        List<VolumeView> volumes = aws.volumes(volumeIds);

        Set<String> ids = new TreeSet<>();
        roles.forEach(r -> r.owner().ifPresent(ids::add));
        members.forEach(m -> ids.add(m.instanceId()));
        enis.forEach(e -> e.attachment().ifPresent(a -> ids.add(a.instanceId())));
        volumes.forEach(v -> v.attachment().ifPresent(a -> ids.add(a.instanceId())));
        Map<String, InstanceView> instances = aws.instances(ids);
        return new ReconcilePlanner.Facts(roles, resources, instances, members, enis, volumes, running, clock.instant(),
                bounds);
    }

    // ---------------------------------------------------------------- actions

    private Outcome execute(Action action) {
        String kind = action.getClass().getSimpleName();
        try {
            return switch (action) {
                case Alarm a -> new Outcome(kind, a.workflow().name().toLowerCase(Locale.ROOT), a.execution(),
                        "ALARM", "running for " + a.age().toSeconds() + " s, over the bound of "
                                + bounds.stuckAfter().toSeconds() + " s");
                case StartHandover h -> start(kind, h.instanceId(), Workflow.HANDOVER, h.instanceId(), h.roleType(),
                        h.group(), h.execution(), "its launch lifecycle event never started a handover");
                case StartRelease r -> start(kind, r.instanceId(), Workflow.RELEASE, r.instanceId(), r.roleType(),
                        r.group(), r.execution(), "its terminate lifecycle event never started a release");
                case FailOverToStandby s -> start(kind, s.role().id().value(), Workflow.HANDOVER, s.standby(),
                        s.role().type(), s.group(), s.execution(), "to standby " + s.standby() + " (owner "
                                + s.role().owner().orElse("none") + ", " + s.role().state() + ")");
                case Repair r -> start(kind, r.role().id().value(), Workflow.HANDOVER, r.owner(), r.role().type(),
                        r.group(), r.execution(), r.drift() + (r.holders().isEmpty() ? "" : " " + r.holders())
                                + "; the owner's claim resumes and the workflow fences before it detaches");
                case ReplaceOwner r -> replace(kind, r);
            };
        } catch (RuntimeException e) {
            return new Outcome(kind, subjectOf(action), executionOf(action), "FAILED",
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private Outcome start(String kind, String subject, Workflow workflow, String instanceId, RoleType type, String group,
            String name, String why) {
        boolean release = workflow == Workflow.RELEASE;
        String hook = required(release ? config.terminateHookName() : config.launchHookName(),
                release ? "terminate hook" : "launch hook");
        // No lifecycle token: the reconciler does not know it (Auto Scaling does not list it), and the
        // steps complete an action by instance id instead; a handover for a standby or a repair has no
        // active action at all, which the Complete step counts as done.
        HandoverState state = new HandoverState(new HandoverState.Input(config.fileSystem().value(), instanceId,
                type.name(), group, hook, null, release ? "autoscaling:EC2_INSTANCE_TERMINATING"
                        : "autoscaling:EC2_INSTANCE_LAUNCHING", name, poll),
                null, null, null, null, null, null, null, null);
        String arn = release ? required(config.releaseStateMachineArn(), "release")
                : required(config.handoverStateMachineArn(), "handover");
        ExecutionStarter.Started started = starter.start(arn, name, json(state));
        return new Outcome(kind, subject, name, started == ExecutionStarter.Started.STARTED ? "STARTED" : "DUPLICATE", why);
    }

    private Outcome replace(String kind, ReplaceOwner r) {
        String subject = r.role().id().value();
        if (r.orphan()) {
            try {
                store.markOrphaned(r.role().key(), r.owner(), r.role().epoch());
            } catch (StaleEpochException | RoleStateConflictException moved) {
                // Claimed anew or given up since we read it: its new owner is not ours to replace.
                return new Outcome(kind, subject, null, "MOVED_ON", moved.getMessage());
            }
        }
        String detail = (r.orphan() ? "orphaned under epoch " + r.role().epoch() : r.role().state().name())
                + "; owner " + r.owner();
        if (!r.replace()) {
            return new Outcome(kind, subject, null, "ORPHANED", detail + " is already leaving its group");
        }
        boolean asked = aws.markUnhealthy(r.owner());
        return new Outcome(kind, subject, null, asked ? "REPLACING" : "ORPHANED",
                detail + (asked ? ": its group was asked to replace it" : ": no group manages it"));
    }

    private static String subjectOf(Action a) {
        return switch (a) {
            case Alarm x -> x.workflow().name().toLowerCase(Locale.ROOT);
            case StartHandover x -> x.instanceId();
            case StartRelease x -> x.instanceId();
            case FailOverToStandby x -> x.role().id().value();
            case Repair x -> x.role().id().value();
            case ReplaceOwner x -> x.role().id().value();
        };
    }

    private static String executionOf(Action a) {
        return switch (a) {
            case Alarm x -> x.execution();
            case StartHandover x -> x.execution();
            case StartRelease x -> x.execution();
            case FailOverToStandby x -> x.execution();
            case Repair x -> x.execution();
            case ReplaceOwner x -> null;
        };
    }

    private static String required(String value, String what) {
        if (value == null) {
            throw new IllegalStateException("the reconciler needs the " + what + " setting (see template.yaml)");
        }
        return value;
    }

    private static String json(HandoverState state) {
        try {
            return Json.MAPPER.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
