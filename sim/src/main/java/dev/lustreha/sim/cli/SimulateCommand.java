package dev.lustreha.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.cloud.SimClock;
import dev.lustreha.local.ec2.SimEc2;
import dev.lustreha.local.sfn.VirtualStepFunctions;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.HealthFault;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.sim.PlannedMoves;
import dev.lustreha.sim.Mutation;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.TriggerResult;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * {@code ./lustre-ha simulate <scenario.json>}: boots the scenario's file system on the local cloud,
 * injects its faults at their virtual times (counted from the moment every role first served),
 * waits for the expectation, checks the invariants against the simulated cloud's history and sums
 * it all up in a {@link Report}.
 */
final class SimulateCommand {

    /** The first boot of any file system the scenarios allow serves well within this. */
    static final Duration BOOT_LIMIT = Duration.ofMinutes(30);
    /** After the expectation: long enough for every lifecycle hook (at most 600 s) to end. */
    static final Duration QUIET_LIMIT = Duration.ofMinutes(15);
    /** A fault's own EC2 call retried through a throttling window (each attempt fails with probability 0.5). */
    private static final int FAULT_ATTEMPTS = 30;

    private SimulateCommand() {
    }

    /**
     * One injected fault: which instance or volumes it hit, or why it could not be applied.
     *
     * @param at when it struck; null until the run records it
     */
    record Injected(Scenario.Fault fault, String target, String problem, Instant at) {

        Injected(Scenario.Fault fault, String target, String problem) {
            this(fault, target, problem, null);
        }

        Injected struckAt(Instant t) {
            return new Injected(fault, target, problem, t);
        }
    }

    /**
     * How to run a scenario.
     *
     * @param engine the in-JVM engine (deterministic: the same file gives the same run) or the
     *     third-party one in wall time
     * @param speed virtual seconds per wall second, for the wall-time engine
     * @param quiet no timeline and no summary: what a run of many random schedules wants
     * @param mutation {@link Mutation#NONE}, or the broken variant a mutation check runs
     */
    record Settings(LocalCloud.Engine engine, double speed, boolean quiet, Mutation mutation) {

        Settings(LocalCloud.Engine engine, double speed, boolean quiet) {
            this(engine, speed, quiet, Mutation.NONE);
        }

        static Settings deterministic() {
            return new Settings(LocalCloud.Engine.VIRTUAL, 1, false);
        }

        Settings quietly() {
            return new Settings(engine, speed, true, mutation);
        }

        /** A deliberately broken lustre-ha (the mutation checks). */
        Settings mutated(Mutation m) {
            return new Settings(engine, speed, quiet, m);
        }

        boolean virtual() {
            return engine == LocalCloud.Engine.VIRTUAL;
        }
    }

    static Report run(Scenario sc, Settings settings, PrintStream out, long wallStart) {
        FileSystemSpec spec = sc.fileSystem().spec();
        if (!settings.virtual() && sc.faults().stream().anyMatch(f -> f.step() != null)) {
            throw new IllegalArgumentException("faults tied to a handover step need the in-JVM engine (drop --engine)");
        }
        if (!settings.quiet()) {
            describe(sc, spec, settings, out);
        }
        LocalCloud.Options options = (settings.virtual()
                ? LocalCloud.Options.deterministic(sc.seed(), sc.latency().latency())
                : new LocalCloud.Options(sc.seed(), sc.latency().latency(), settings.speed(), HandoverState.Poll.defaults(),
                        true))
                .withReconciler(CloudRun.RECONCILE_EVERY);
        List<Report.Expectation> expectations = new ArrayList<>();
        List<Injected> injected = Collections.synchronizedList(new ArrayList<>());
        try (CloudRun run = CloudRun.start(spec, options, settings.mutation(), out, wallStart)) {
            Notes notes = settings.quiet() ? Notes.NONE : run.timeline();
            Invariants.Checker checker = new Invariants.Checker(run.cloud.pool());
            SimClock clock = run.cloud.sim().clock();
            if (settings.virtual()) {
                // Every step of the run is checked as it happens.
                clock.afterEach(() -> checker.catchUp(run.cloud.sim().history()));
            }
            notes.note("", "local cloud up; the Auto Scaling groups launch the first servers");
            Instant startedAt = null;
            Optional<Instant> booted = run.servedAt(BOOT_LIMIT);
            if (booted.isEmpty()) {
                checker.report(new Invariants.Violation("I6", "first boot: not every role served within "
                        + BOOT_LIMIT.toSeconds() + " s: " + unserved(run), run.now()));
                expectations.add(new Report.Expectation("allServingWithin", sc.expect().allServingWithin(), null, false));
            } else {
                // Fault times count from here: the moment the first boot was seen complete.
                Instant t0 = run.now();
                startedAt = t0;
                notes.note(t0, "", "all " + spec.roles().size() + " roles serving; fault times count from here");
                StepFaults stepFaults = new StepFaults(run, notes, injected, t0);
                for (Scenario.Fault f : sc.faults()) {
                    if (f.step() == null) {
                        schedule(run, notes, spec, f, t0, injected, checker);
                    } else {
                        stepFaults.arm(f);
                    }
                }
                if (settings.virtual()) {
                    run.cloud.intercept(stepFaults);
                }
                double lastEnd = sc.faults().stream().mapToDouble(Scenario.Fault::endsAt).max().orElse(0);
                Instant end = t0.plus(CloudRun.seconds(lastEnd));
                if (!sc.expect().held().isEmpty()) {
                    // Held for a person while the last fault still holds: just before its window ends.
                    run.awaitTime(end.minusSeconds(1));
                    for (String role : sc.expect().held()) {
                        boolean held = HealthExpectations.held(run.cloud, role);
                        expectations.add(new Report.Expectation("held " + role, 1, held ? 1.0 : 0.0, held));
                        notes.note("", role + (held ? " is held for a person, its health alarm raised: "
                                + run.cloud.role(role).health().hold().orElse("") : " is NOT held for a person"));
                    }
                }
                run.awaitTime(end);
                Instant deadline = end.plus(CloudRun.seconds(sc.expect().allServingWithin()));
                Optional<Instant> servedAt = run.servedAt(Duration.between(run.now(), deadline));
                boolean served = servedAt.isPresent() && !servedAt.get().isAfter(deadline);
                Double measured = servedAt.map(t -> Format.between(end, t)).orElse(null);
                expectations.add(new Report.Expectation("allServingWithin", sc.expect().allServingWithin(), measured,
                        served));
                if (served) {
                    notes.note(servedAt.get(), "", "every role serving again, " + Format.seconds(measured)
                            + " after the last fault" + (sc.faults().isEmpty() ? "" : "'s window ended") + " (limit "
                            + Format.seconds(sc.expect().allServingWithin()) + ")");
                } else {
                    checker.report(new Invariants.Violation("I6", "not every role SERVING within "
                            + Format.seconds(sc.expect().allServingWithin()) + " after the last fault's window ended: "
                            + unserved(run), run.now()));
                }
            }
            if (!run.awaitQuiet(QUIET_LIMIT)) {
                notes.note("", "still busy after " + QUIET_LIMIT.toSeconds() + " s: "
                        + (run.cloud.executions().idle() ? "" : "workflows running; ")
                        + run.openLifecycleActions().size() + " lifecycle actions open");
            }
            clock.afterEach(() -> { });
            if (startedAt != null) {
                expectations.addAll(HealthExpectations.atEnd(sc.expect(), run.cloud, startedAt));
            }
            checker.catchUp(run.cloud.sim().history());
            List<Report.Violation> violations = Report.violations(run.cloud, checker.finish());
            notes.print("");
            boolean ok = violations.isEmpty() && expectations.stream().allMatch(Report.Expectation::met);
            Instant origin = Timeline.origin(run.cloud);
            Report report = new Report(sc.name(), ok, violations, Report.roles(run.cloud),
                    Report.handovers(run.cloud, run.steps), Report.apiCalls(run.cloud),
                    run.virtualSeconds(), run.wallSeconds(), sc.seed(), settings.speed(), expectations,
                    List.copyOf(injected).stream().map(i -> new Report.InjectedFault(i.fault().at(), i.fault().kind().wire,
                            i.fault().role(), i.fault().kind().needsSeconds ? i.fault().seconds() : null, i.target(),
                            i.problem(), i.at() == null ? null : Format.between(origin, i.at()))).toList(),
                    startedAt == null ? null : Format.between(origin, startedAt), Report.alarms(run.cloud), null);
            if (!settings.quiet()) {
                summary(run, report, settings.virtual(), out);
            }
            return report;
        }
    }

    /** Where a run's progress lines go: the timeline, or nowhere. */
    interface Notes {
        Notes NONE = new Notes() {
            @Override
            public void note(String who, String text) {
            }

            @Override
            public void note(Instant at, String who, String text) {
            }

            @Override
            public void print(String text) {
            }
        };

        void note(String who, String text);

        void note(Instant at, String who, String text);

        void print(String text);
    }

    /**
     * The faults tied to a handover step: each strikes at the first invocation of its step, after its
     * time, in a handover of its role (any role when it names none), just before the function runs —
     * or, for a lost response, just after.
     */
    private static final class StepFaults implements VirtualStepFunctions.TaskInterceptor {
        private final CloudRun run;
        private final Notes notes;
        private final List<Injected> injected;
        private final Instant t0;
        private final List<Scenario.Fault> armed = new ArrayList<>();

        StepFaults(CloudRun run, Notes notes, List<Injected> injected, Instant t0) {
            this.run = run;
            this.notes = notes;
            this.injected = injected;
            this.t0 = t0;
        }

        void arm(Scenario.Fault f) {
            armed.add(f);
        }

        @Override
        public VirtualStepFunctions.TaskResult invoke(VirtualStepFunctions.TaskCall call, VirtualStepFunctions.Invoker next) {
            if (armed.isEmpty() || !call.machine().equals("HandoverStateMachine")) {
                return next.invoke(call.resource(), call.input());
            }
            HandoverState state = StepLog.parse(call.input()).orElse(null);
            Instant now = run.now();
            boolean loseResponse = false;
            for (Scenario.Fault f : List.copyOf(armed)) {
                if (state == null || !f.step().equals(call.state()) || now.isBefore(t0.plus(CloudRun.seconds(f.at())))
                        || !ofRole(f, state)) {
                    continue;
                }
                String target = f.target() == Scenario.Target.OUTGOING
                        ? (state.claim() == null ? null : state.claim().previousOwner())
                        : state.input().instanceId();
                if (target == null && f.kind() != Scenario.Kind.THROTTLE && f.kind() != Scenario.Kind.LOSE_RESPONSE) {
                    continue; // a first claim has no previous owner: wait for a handover that has one
                }
                armed.remove(f);
                Injected i = strike(f, target).struckAt(now);
                loseResponse |= f.kind() == Scenario.Kind.LOSE_RESPONSE;
                injected.add(i);
                notes.note("fault", f.describe() + " (" + call.execution() + ")" + (i.target() == null ? "" : " -> "
                        + i.target()) + (i.problem() == null ? "" : ": NOT APPLIED, " + i.problem()));
            }
            VirtualStepFunctions.TaskResult result = next.invoke(call.resource(), call.input());
            // The function ran (and acted); Step Functions sees the invocation fail, and retries the step.
            return loseResponse ? VirtualStepFunctions.TaskResult.failed("Lambda.ServiceException",
                    "the response was lost (injected fault)") : result;
        }

        private static boolean ofRole(Scenario.Fault f, HandoverState state) {
            if (f.role() == null) {
                return true;
            }
            if (state.claim() != null && state.claim().roleId() != null) {
                return f.role().equals(state.claim().roleId());
            }
            // Before the claim, a handover is of a role type only.
            return RoleId.parse(f.role()).type().name().equals(state.input().roleType());
        }

        private Injected strike(Scenario.Fault f, String instance) {
            SimCloud sim = run.cloud.sim();
            try {
                switch (f.kind()) {
                    case THROTTLE -> {
                        sim.faults().throttle(run.now(), run.now().plus(CloudRun.seconds(f.seconds())), 0.5);
                        return new Injected(f, "every EC2 and Auto Scaling call", null);
                    }
                    case LOSE_RESPONSE -> {
                        return new Injected(f, "the step's response", null);
                    }
                    default -> {
                        return hitServer(run, f, instance);
                    }
                }
            } catch (RuntimeException e) {
                return new Injected(f, instance, e.toString());
            }
        }
    }

    private static void describe(Scenario sc, FileSystemSpec spec, Settings settings, PrintStream out) {
        Scenario.FileSystem fs = sc.fileSystem();
        out.println("scenario " + sc.name() + " (seed " + sc.seed() + ", " + sc.latency().wire + " latencies, "
                + (settings.virtual() ? "in-JVM state machine engine, deterministic"
                        : "aws-local-stepfunctions, virtual time " + Format.number(settings.speed()) + "x wall time") + ")");
        out.println("  file system " + fs.name() + " in " + fs.az() + ": "
                + spec.roles().stream().map(RoleId::value).collect(Collectors.joining(", ")) + "; "
                + Format.count(fs.volumesPerOss(), "volume") + " per OSS; " + Format.count(fs.standbys(), "standby"));
        if (sc.faults().isEmpty()) {
            out.println("  no faults");
        } else {
            out.println("  faults, in virtual seconds after every role first serves:");
            for (Scenario.Fault f : sc.faults()) {
                out.println("    at " + Format.number(f.at()) + ": " + f.describe());
            }
        }
        out.println("  expect: every role serving within " + Format.seconds(sc.expect().allServingWithin())
                + " after the last fault" + (sc.faults().isEmpty() ? "" : "'s window ends"));
        sc.expect().moves().forEach((role, n) -> out.println("  expect: " + role + " moved exactly "
                + Format.count(n, "time")));
        if (!sc.expect().neverAlarmed().isEmpty()) {
            out.println("  expect: health alarm never raised for " + String.join(", ", sc.expect().neverAlarmed()));
        }
        if (!sc.expect().held().isEmpty()) {
            out.println("  expect: held for a person (flap damping), alarm raised: " + String.join(", ",
                    sc.expect().held()));
        }
        out.println();
    }

    /** Injects {@code f} when the cloud's clock reaches {@code t0 + f.at}, on the clock's thread. */
    private static void schedule(CloudRun run, Notes notes, FileSystemSpec spec, Scenario.Fault f, Instant t0,
            List<Injected> injected, Invariants.Checker checker) {
        SimClock clock = run.cloud.sim().clock();
        Instant at = t0.plus(CloudRun.seconds(f.at()));
        // Holding the clock's lock, time cannot move between reading it and scheduling relative to it.
        synchronized (clock) {
            Duration delay = Duration.between(clock.now(), at);
            clock.schedule(delay.isNegative() ? Duration.ZERO : delay, "fault " + f.describe(), () -> {
                Injected i;
                try {
                    i = f.kind() == Scenario.Kind.GARBAGE_EVENTS ? garbage(run, f, checker) : inject(run, spec, f);
                } catch (RuntimeException e) {
                    // This runs on the clock's own thread: an exception here would stop virtual time.
                    i = new Injected(f, null, e.toString());
                }
                i = i.struckAt(run.now());
                injected.add(i);
                notes.note("fault", f.describe() + (i.target() == null ? "" : " -> " + i.target())
                        + (i.problem() == null ? "" : ": NOT APPLIED, " + i.problem()));
            });
        }
    }

    /**
     * Hands every malformed and foreign sample event to the triggers (I7): each must be rejected or
     * ignored, and change nothing — no record in the cloud's history, no execution, no role.
     */
    private static Injected garbage(CloudRun run, Scenario.Fault f, Invariants.Checker checker) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : GarbageEvents.load().entrySet()) {
            int history = run.cloud.sim().history().entries().size();
            int executions = run.cloud.executions().all().size();
            List<Role> roles = run.cloud.roles();
            TriggerResult r = run.cloud.trigger(e.getValue());
            List<String> changed = new ArrayList<>();
            if (!"REJECTED".equals(r.action()) && !"IGNORED".equals(r.action())) {
                changed.add("the trigger answered " + r.action());
            }
            if (run.cloud.sim().history().entries().size() != history) {
                changed.add("the cloud changed: " + run.cloud.sim().history().entriesFrom(history).get(0).action());
            }
            if (run.cloud.executions().all().size() != executions) {
                changed.add("an execution started");
            }
            if (!run.cloud.roles().equals(roles)) {
                changed.add("the role table changed");
            }
            if (!changed.isEmpty()) {
                checker.report(new Invariants.Violation("I7", run.now() + " event " + e.getKey() + ": "
                        + String.join("; ", changed), run.now()));
            }
            names.add(e.getKey());
        }
        return new Injected(f, names.size() + " events (" + String.join(", ", names) + ")", null);
    }

    static Injected inject(CloudRun run, FileSystemSpec spec, Scenario.Fault f) {
        SimCloud sim = run.cloud.sim();
        SimEc2 ec2 = sim.ec2();
        Instant now = sim.clock().now();
        Instant until = now.plus(CloudRun.seconds(f.seconds()));
        switch (f.kind()) {
            case THROTTLE -> {
                sim.faults().throttle(now, until, 0.5);
                return new Injected(f, "every EC2 and Auto Scaling call", null);
            }
            case DROP_EVENTS -> {
                sim.faults().dropEvents(now, until);
                return new Injected(f, "every event published", null);
            }
            case DUPLICATE_EVENTS -> {
                sim.faults().duplicateEvents(now, until);
                return new Injected(f, "every event published", null);
            }
            case AZ_OUTAGE -> {
                ec2.azOutage(spec.az(), until);
                return new Injected(f, spec.az(), null);
            }
            case STUCK_DETACH -> {
                List<String> volumes = run.cloud.resources(f.role()).volumes().stream().map(Volume::volumeId).toList();
                volumes.forEach(v -> ec2.stickDetach(v, until));
                return new Injected(f, String.join(", ", volumes), null);
            }
            default -> {
            }
        }
        Optional<String> owner = run.cloud.role(f.role()).owner();
        if (owner.isEmpty()) {
            return new Injected(f, null, f.role() + " has no owner");
        }
        if (f.kind().health()) {
            run.cloud.healthFault(owner.get(), switch (f.kind()) {
                case LUSTRE_UNHEALTHY -> HealthFault.LUSTRE_UNHEALTHY;
                case TARGET_READONLY -> HealthFault.TARGET_READONLY;
                case LNET_DOWN -> HealthFault.LNET_DOWN;
                default -> HealthFault.SILENT;
            }, until);
            return new Injected(f, owner.get(), null);
        }
        if (f.kind() == Scenario.Kind.UNMOUNT_HANGS || f.kind() == Scenario.Kind.MOVE) {
            return new Injected(f, owner.get(), PlannedMoves.inject(run.cloud, f.role(), f.kind() == Scenario.Kind.MOVE)
                    .orElse(null));
        }
        return hitServer(run, f, owner.get());
    }

    /** A fault that hits one server (at a time, or tied to a step): terminate, stop, hang or recover it. */
    private static Injected hitServer(CloudRun run, Scenario.Fault f, String instance) {
        SimEc2 ec2 = run.cloud.sim().ec2();
        try {
            switch (f.kind()) {
                case TERMINATE -> retrying(() -> ec2.terminateInstances(r -> r.instanceIds(instance)));
                case STOP -> retrying(() -> ec2.stopInstances(r -> r.instanceIds(instance)));
                case HANG -> ec2.setHung(instance, true);
                case RECOVER -> ec2.setHung(instance, false);
                default -> throw new IllegalStateException("kind " + f.kind() + " hits no server");
            }
            return new Injected(f, instance, null);
        } catch (Ec2Exception e) {
            return new Injected(f, instance, e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage());
        }
    }

    /** A fault's own call, made again while a throttling window refuses it. */
    private static void retrying(Supplier<?> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                call.get();
                return;
            } catch (Ec2Exception e) {
                boolean throttled = e.awsErrorDetails() != null
                        && "RequestLimitExceeded".equals(e.awsErrorDetails().errorCode());
                if (!throttled || attempt >= FAULT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static String unserved(CloudRun run) {
        List<String> out = new ArrayList<>();
        for (Role r : run.cloud.roles()) {
            String owner = r.owner().orElse(null);
            String state = owner == null ? "" : run.cloud.sim().ec2().stateOf(owner).map(Object::toString).orElse("gone");
            boolean hung = owner != null && run.cloud.sim().ec2().isImpaired(owner);
            if (r.state() != RoleState.SERVING || !"running".equals(state) || hung) {
                out.add(r.id() + " " + r.state() + (owner == null ? "" : " (owner " + owner + " " + state
                        + (hung ? ", hung" : "") + ")"));
            }
        }
        return out.isEmpty() ? "every role is SERVING but some ENI or volume is not attached and mounted on its owner"
                : String.join("; ", out);
    }

    private static void summary(CloudRun run, Report report, boolean everyStep, PrintStream out) {
        out.println("roles at the end:");
        out.print(run.roleTable());
        out.println();
        if (!report.handovers().isEmpty()) {
            out.println("handovers (virtual seconds):");
            out.printf("  %-6s  %-19s  %-19s  %-10s  %6s  %6s  %6s  %6s%n", "role", "from", "to", "outcome", "fence",
                    "detach", "attach", "total");
            for (Report.Handover h : report.handovers()) {
                out.printf("  %-6s  %-19s  %-19s  %-10s  %6s  %6s  %6s  %6s%n", h.role(),
                        h.fromInstance() == null ? "(first claim)" : h.fromInstance(), h.toInstance(), h.outcome(),
                        n(h.phases().fence()), n(h.phases().detach()), n(h.phases().attach()), n(h.phases().total()));
            }
            out.println();
        }
        for (Report.Expectation e : report.expectations()) {
            boolean time = e.expect().equals("allServingWithin");
            out.println("expect " + e.expect() + " " + (time ? Format.seconds(e.limit()) : Format.number(e.limit())) + ": "
                    + (e.measured() == null ? "never" : time ? Format.seconds(e.measured()) : Format.number(e.measured()))
                    + (e.met() ? "  met" : "  NOT MET"));
        }
        for (Report.InjectedFault f : report.faults()) {
            if (f.problem() != null) {
                out.println("warning: fault " + f.kind() + (f.role() == null ? "" : " " + f.role()) + " at "
                        + Format.number(f.at()) + " was not applied (" + f.problem() + "): the scenario did not "
                        + "test what it says");
            }
        }
        if (report.violations().isEmpty()) {
            boolean garbage = report.faults().stream().anyMatch(f -> f.kind().equals(Scenario.Kind.GARBAGE_EVENTS.wire));
            out.println("invariants: I1-I6" + (garbage ? ", I7" : "") + ", I8 and I9 held (checked from the simulated cloud's "
                    + "history" + (everyStep ? ", after every step" : ", at the end") + ")");
        } else {
            out.println("violations:");
            report.violations().forEach(v -> out.println("  " + v.invariant() + ": " + v.detail()));
        }
        out.println((report.ok() ? "OK" : "NOT OK") + ": " + report.scenario() + " in "
                + Format.seconds(report.virtualSeconds()) + " virtual, " + Format.seconds(report.wallSeconds()) + " wall");
    }

    private static String n(Double d) {
        return d == null ? "-" : Format.number(d);
    }
}
