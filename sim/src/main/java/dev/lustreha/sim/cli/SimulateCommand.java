package dev.lustreha.sim.cli;

import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.cloud.SimClock;
import dev.lustreha.local.ec2.SimEc2;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.steps.HandoverState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    /** One injected fault: which instance or volumes it hit, or why it could not be applied. */
    record Injected(Scenario.Fault fault, String target, String problem) {
    }

    static Report run(Scenario sc, double speed, PrintStream out, long wallStart) {
        FileSystemSpec spec = sc.fileSystem().spec();
        describe(sc, spec, speed, out);
        LocalCloud.Options options = new LocalCloud.Options(sc.seed(), sc.latency().latency(), speed,
                HandoverState.Poll.defaults(), true)
                .withReconciler(CloudRun.RECONCILE_EVERY);
        List<Report.Violation> violations = new ArrayList<>();
        List<Report.Expectation> expectations = new ArrayList<>();
        List<Injected> injected = Collections.synchronizedList(new ArrayList<>());
        try (CloudRun run = CloudRun.start(spec, options, out, wallStart)) {
            Timeline timeline = run.timeline();
            timeline.note("", "local cloud up; the Auto Scaling groups launch the first servers");
            Optional<Instant> booted = run.servedAt(BOOT_LIMIT);
            if (booted.isEmpty()) {
                violations.add(new Report.Violation("I6", "first boot: not every role served within "
                        + BOOT_LIMIT.toSeconds() + " s: " + unserved(run)));
                expectations.add(new Report.Expectation("allServingWithin", sc.expect().allServingWithin(), null, false));
            } else {
                // Fault times count from here: the moment the first boot was seen complete.
                Instant t0 = run.now();
                timeline.note(t0, "", "all " + spec.roles().size() + " roles serving; fault times count from here");
                for (Scenario.Fault f : sc.faults()) {
                    schedule(run, timeline, spec, f, t0, injected);
                }
                double lastEnd = sc.faults().stream().mapToDouble(Scenario.Fault::endsAt).max().orElse(0);
                Instant end = t0.plus(CloudRun.seconds(lastEnd));
                run.awaitTime(end);
                Instant deadline = end.plus(CloudRun.seconds(sc.expect().allServingWithin()));
                Optional<Instant> servedAt = run.servedAt(Duration.between(run.now(), deadline));
                boolean served = servedAt.isPresent() && !servedAt.get().isAfter(deadline);
                Double measured = servedAt.map(t -> Format.between(end, t)).orElse(null);
                expectations.add(new Report.Expectation("allServingWithin", sc.expect().allServingWithin(), measured,
                        served));
                if (served) {
                    timeline.note(servedAt.get(), "", "every role serving again, " + Format.seconds(measured)
                            + " after the last fault" + (sc.faults().isEmpty() ? "" : "'s window ended") + " (limit "
                            + Format.seconds(sc.expect().allServingWithin()) + ")");
                } else {
                    violations.add(new Report.Violation("I6", "not every role SERVING within "
                            + Format.seconds(sc.expect().allServingWithin()) + " after the last fault's window ended: "
                            + unserved(run)));
                }
            }
            if (!run.awaitQuiet(QUIET_LIMIT)) {
                timeline.note("", "still busy after " + QUIET_LIMIT.toSeconds() + " s: "
                        + (run.cloud.executions().idle() ? "" : "workflows running; ")
                        + run.openLifecycleActions().size() + " lifecycle actions open");
            }
            Invariants.check(run.cloud.sim().history(), run.cloud.pool(), true).stream()
                    .map(Report.Violation::of).forEach(violations::add);
            timeline.print("");
            boolean ok = violations.isEmpty() && expectations.stream().allMatch(Report.Expectation::met);
            Report report = new Report(sc.name(), ok, violations, Report.roles(run.cloud),
                    Report.handovers(run.cloud, run.steps), Report.apiCalls(run.cloud),
                    run.virtualSeconds(), run.wallSeconds(), sc.seed(), speed, expectations,
                    List.copyOf(injected).stream().map(i -> new Report.InjectedFault(i.fault().at(), i.fault().kind().wire,
                            i.fault().role(), i.fault().kind().needsSeconds ? i.fault().seconds() : null, i.target(),
                            i.problem())).toList());
            summary(run, report, out);
            return report;
        }
    }

    private static void describe(Scenario sc, FileSystemSpec spec, double speed, PrintStream out) {
        Scenario.FileSystem fs = sc.fileSystem();
        out.println("scenario " + sc.name() + " (seed " + sc.seed() + ", " + sc.latency().wire
                + " latencies, virtual time " + Format.number(speed) + "x wall time)");
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
        out.println();
    }

    /** Injects {@code f} when the cloud's clock reaches {@code t0 + f.at}, on the clock's thread. */
    private static void schedule(CloudRun run, Timeline timeline, FileSystemSpec spec, Scenario.Fault f, Instant t0,
            List<Injected> injected) {
        SimClock clock = run.cloud.sim().clock();
        Instant at = t0.plus(CloudRun.seconds(f.at()));
        // Holding the clock's lock, time cannot move between reading it and scheduling relative to it.
        synchronized (clock) {
            Duration delay = Duration.between(clock.now(), at);
            clock.schedule(delay.isNegative() ? Duration.ZERO : delay, "fault " + f.describe(), () -> {
                Injected i;
                try {
                    i = inject(run, spec, f);
                } catch (RuntimeException e) {
                    // This runs on the clock's own thread: an exception here would stop virtual time.
                    i = new Injected(f, null, e.toString());
                }
                injected.add(i);
                timeline.note("fault", f.describe() + (i.target() == null ? "" : " -> " + i.target())
                        + (i.problem() == null ? "" : ": NOT APPLIED, " + i.problem()));
            });
        }
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
        String instance = owner.get();
        try {
            switch (f.kind()) {
                case TERMINATE -> retrying(() -> ec2.terminateInstances(r -> r.instanceIds(instance)));
                case STOP -> retrying(() -> ec2.stopInstances(r -> r.instanceIds(instance)));
                case HANG -> ec2.setHung(instance, true);
                default -> throw new IllegalStateException("unhandled fault kind " + f.kind());
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

    private static void summary(CloudRun run, Report report, PrintStream out) {
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
            out.println("expect " + e.expect() + " " + Format.seconds(e.limit()) + ": "
                    + (e.measured() == null ? "never" : Format.seconds(e.measured())) + (e.met() ? "  met" : "  NOT MET"));
        }
        for (Report.InjectedFault f : report.faults()) {
            if (f.problem() != null) {
                out.println("warning: fault " + f.kind() + (f.role() == null ? "" : " " + f.role()) + " at "
                        + Format.number(f.at()) + " was not applied (" + f.problem() + "): the scenario did not "
                        + "test what it says");
            }
        }
        if (report.violations().isEmpty()) {
            out.println("invariants: I1-I6 held (checked from the simulated cloud's history)");
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
