package dev.lustreha.sim.bench;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleState;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Issue 9, benchmark 3, handover economy: on the local cloud with zero latency (every transition due
 * at once), one OSS role with 8 volumes is handed over again and again, its owner either terminated
 * or hung (so the handover must fence it: a forced stop, then detach). Per handover: wall time on a
 * warm JVM, Step Functions state transitions, the EC2 and Auto Scaling calls the workflow made by
 * operation, DescribeVolumes calls per poll, and whether the 8 attaches (and detaches) went out in
 * one step. Compared with the goals.
 */
final class EconomyBenchmark {

    static final String ROLE = "oss01";
    static final int VOLUMES = 8;
    /** The goals. */
    static final int MAX_TRANSITIONS = 30;
    static final int MAX_CALLS = 20;

    enum Case {
        TERMINATED("old owner terminated"),
        HUNG("old owner hung (fence: forced stop, then detach)");

        final String description;

        Case(String description) {
            this.description = description;
        }
    }

    /** One measured handover. */
    record Handover(double wallMs, double virtualSeconds, long transitions, Map<String, Long> workflowCalls,
            long workflowTotal, Map<String, Long> failoverCalls, int polls, long maxDescribeVolumesPerPoll,
            int attachSteps, long attachVolumeCalls, int detachSteps, long detachVolumeCalls, String outcome) {
    }

    record CaseResult(Case c, List<Handover> handovers, List<Invariants.Violation> violations, double wallSeconds) {

        double median(ToDoubleFunction<Handover> f) {
            double[] v = handovers.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        long max(ToLongFunction<Handover> f) {
            return handovers.stream().mapToLong(f).max().orElse(0);
        }

        long min(ToLongFunction<Handover> f) {
            return handovers.stream().mapToLong(f).min().orElse(0);
        }

        Handover last() {
            return handovers.get(handovers.size() - 1);
        }

        boolean allServed() {
            return handovers.stream().allMatch(h -> "SERVING".equals(h.outcome()));
        }

        /** The goals as (name, measured, pass). */
        List<Goal> goals() {
            List<Goal> g = new ArrayList<>();
            g.add(new Goal("<= " + MAX_TRANSITIONS + " state transitions", Long.toString(max(Handover::transitions)),
                    max(Handover::transitions) <= MAX_TRANSITIONS));
            g.add(new Goal("<= " + MAX_CALLS + " EC2/Auto Scaling calls", Long.toString(max(Handover::workflowTotal)),
                    max(Handover::workflowTotal) <= MAX_CALLS));
            g.add(new Goal("one DescribeVolumes per poll", Long.toString(max(Handover::maxDescribeVolumesPerPoll)),
                    max(Handover::maxDescribeVolumesPerPoll) <= 1));
            boolean attachParallel = handovers.stream().allMatch(h -> h.attachSteps() == 1 && h.attachVolumeCalls() == VOLUMES);
            g.add(new Goal("8 attaches issued in one step", attachSteps(), attachParallel));
            if (c == Case.HUNG) {
                boolean detachParallel = handovers.stream()
                        .allMatch(h -> h.detachSteps() == 1 && h.detachVolumeCalls() == VOLUMES);
                g.add(new Goal("8 detaches issued in one step", detachSteps(), detachParallel));
            }
            g.add(new Goal("0 invariant violations", Integer.toString(violations.size()), violations.isEmpty()));
            g.add(new Goal("every handover SERVING", handovers.size() + " of " + handovers.size() + " ok",
                    allServed()));
            return g;
        }

        private String attachSteps() {
            return handovers.stream().map(h -> h.attachVolumeCalls() + " in " + h.attachSteps() + " step(s)")
                    .distinct().reduce((a, b) -> a + "; " + b).orElse("-");
        }

        private String detachSteps() {
            return handovers.stream().map(h -> h.detachVolumeCalls() + " in " + h.detachSteps() + " step(s)")
                    .distinct().reduce((a, b) -> a + "; " + b).orElse("-");
        }
    }

    record Goal(String name, String measured, boolean pass) {
    }

    record Result(int warmup, int measured, long seed, List<CaseResult> cases, double wallSeconds) {
    }

    private final int warmup;
    private final int measured;
    private final long seed;
    private final PrintStream out;

    EconomyBenchmark(int warmup, int measured, long seed, PrintStream out) {
        this.warmup = warmup;
        this.measured = measured;
        this.seed = seed;
        this.out = out;
    }

    Result run() {
        long start = System.nanoTime();
        List<CaseResult> cases = new ArrayList<>();
        for (Case c : Case.values()) {
            cases.add(run(c));
        }
        return new Result(warmup, measured, seed, cases, (System.nanoTime() - start) / 1e9);
    }

    private CaseResult run(Case c) {
        long start = System.nanoTime();
        FileSystemSpec spec = new FileSystemSpec(new FileSystemName("bench"), "us-east-1a", 1, 1, VOLUMES, 0);
        List<Handover> kept = new ArrayList<>();
        try (BenchCloud bench = BenchCloud.start(spec, LocalCloud.Options.deterministic(seed, Latency.zero()))) {
            if (!bench.awaitQuiet(Duration.ofMinutes(30))) {
                throw new IllegalStateException("the first boot did not settle");
            }
            for (int i = 0; i < warmup + measured; i++) {
                Handover h = handover(bench, c);
                if (i >= warmup) {
                    kept.add(h);
                }
                out.printf(Locale.ROOT, "  economy %-10s %s %2d: %6.1f ms, %d transitions, %d calls%n", c,
                        i < warmup ? "warm-up " : "measured", i + 1, h.wallMs(), h.transitions(), h.workflowTotal());
            }
            bench.checker.catchUp(bench.history());
            return new CaseResult(c, kept, bench.checker.finish(), (System.nanoTime() - start) / 1e9);
        }
    }

    /** One fault and the handover it sets off, measured; then everything it set off runs to its end. */
    private Handover handover(BenchCloud bench, Case c) {
        LocalCloud cloud = bench.cloud;
        // A minute of quiet between handovers: every bucket of EC2's request limits is full again.
        cloud.runUntil(bench.now().plus(Duration.ofMinutes(1)));
        Role before = cloud.role(ROLE);
        String owner = before.owner().orElseThrow();
        long epoch = before.epoch();
        switch (c) {
            case TERMINATED -> bench.ec2().terminateInstances(r -> r.instanceIds(owner));
            case HUNG -> {
                // The hang as Auto Scaling's EC2 health check reports it once the status checks fail: the
                // instance is marked Unhealthy and replaced, launch before terminate, while it still runs.
                bench.ec2().setHung(owner, true);
                cloud.sim().autoScaling().setInstanceHealth(r -> r.instanceId(owner).healthStatus("Unhealthy")
                        .shouldRespectGracePeriod(false));
            }
            default -> throw new IllegalStateException();
        }
        int callMark = bench.history().callCount();
        int taskMark = bench.taskCount();
        int execMark = cloud.executions().all().size();
        var t0 = bench.now();
        long wallStart = System.nanoTime();
        boolean served = cloud.awaitState(() -> {
            Role r = cloud.role(ROLE);
            return r.epoch() > epoch && r.state() == RoleState.SERVING && bench.handedOver();
        }, Duration.ofMinutes(15));
        double wallMs = (System.nanoTime() - wallStart) / 1e6;
        double virtual = Duration.between(t0, bench.now()).toMillis() / 1000.0;
        if (!served) {
            throw new IllegalStateException(c + ": " + ROLE + " was not handed over within 15 virtual minutes");
        }
        if (!bench.awaitQuiet(Duration.ofMinutes(30))) {
            throw new IllegalStateException(c + ": the failover did not settle");
        }
        List<History.Call> failover = bench.history().callsFrom(callMark);
        BenchCloud.Finished handover = bench.executionsFrom(execMark).stream()
                .filter(f -> f.handover() && f.claimedRole().filter(ROLE::equals).isPresent())
                .max(Comparator.comparing(f -> f.execution().startedAt()))
                .orElseThrow(() -> new IllegalStateException(c + ": no handover of " + ROLE + " found"));
        List<BenchCloud.Task> steps = bench.tasksFrom(taskMark).stream()
                .filter(t -> t.execution().equals(handover.execution().name())).toList();
        List<History.Call> workflow = steps.stream().flatMap(t -> t.calls().stream()).toList();
        Calls calls = new Calls(workflow);
        Map<String, Long> ec2AndAsg = new TreeMap<>(calls.byOperation());
        ec2AndAsg.keySet().removeIf(op -> !op.startsWith("Ec2.") && !op.startsWith("AutoScaling."));
        List<BenchCloud.Task> polls = steps.stream().filter(t -> Set.of("Fence", "Detach", "Attach").contains(t.state()))
                .toList();
        long describePerPoll = polls.stream().mapToLong(t -> new Calls(t.calls()).count("Ec2.DescribeVolumes")).max()
                .orElse(0);
        List<BenchCloud.Task> attaching = steps.stream()
                .filter(t -> new Calls(t.calls()).count("Ec2.AttachVolume") > 0).toList();
        List<BenchCloud.Task> detaching = steps.stream()
                .filter(t -> new Calls(t.calls()).count("Ec2.DetachVolume") > 0).toList();
        return new Handover(wallMs, virtual, handover.result().stateTransitions(), ec2AndAsg,
                calls.ec2AndAutoScaling(), new Calls(failover).byOperation(), polls.size(), describePerPoll,
                attaching.size(), calls.count("Ec2.AttachVolume"), detaching.size(), calls.count("Ec2.DetachVolume"),
                handover.outcome());
    }

    // ---------------------------------------------------------------- reporting

    static void print(Result r, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "Handover economy: 1 OSS role with %d volumes, zero latency, median of %d handovers "
                + "after %d warm-up (seed %d); wall %.1f s%n", VOLUMES, r.measured(), r.warmup(), r.seed(),
                r.wallSeconds());
        for (CaseResult c : r.cases()) {
            Handover last = c.last();
            out.println();
            out.println("  " + c.c().description + "  (benchmark wall " + String.format(Locale.ROOT, "%.1f s", c.wallSeconds())
                    + ")");
            out.printf(Locale.ROOT, "    wall per handover        median %.1f ms (min %.1f, max %.1f); virtual %.1f s%n",
                    c.median(Handover::wallMs), c.handovers().stream().mapToDouble(Handover::wallMs).min().orElse(0),
                    c.handovers().stream().mapToDouble(Handover::wallMs).max().orElse(0), c.median(Handover::virtualSeconds));
            out.printf(Locale.ROOT, "    state transitions        %d..%d%n", c.min(Handover::transitions),
                    c.max(Handover::transitions));
            out.printf(Locale.ROOT, "    EC2/ASG calls (workflow) %d..%d: %s%n", c.min(Handover::workflowTotal),
                    c.max(Handover::workflowTotal), Calls.describe(last.workflowCalls()));
            out.printf(Locale.ROOT, "    polls (Fence/Detach/Attach invocations) %d; DescribeVolumes per poll at most %d%n",
                    last.polls(), c.max(Handover::maxDescribeVolumesPerPoll));
            out.printf(Locale.ROOT, "    AttachVolume %d in %d step(s); DetachVolume %d in %d step(s)%n",
                    last.attachVolumeCalls(), last.attachSteps(), last.detachVolumeCalls(), last.detachSteps());
            out.println("    the whole failover (triggers, Auto Scaling, release workflow too): "
                    + Calls.describe(last.failoverCalls()));
            for (Goal g : c.goals()) {
                out.printf(Locale.ROOT, "    %-4s %-34s %s%n", g.pass() ? "PASS" : "FAIL", g.name(), g.measured());
            }
            c.violations().forEach(v -> out.println("    violation " + v.invariant() + ": " + v.detail()));
        }
    }

    static String markdown(Result r) {
        StringBuilder b = new StringBuilder();
        b.append("### Handover economy\n\n");
        b.append(String.format(Locale.ROOT, "One OSS role with %d volumes on the local cloud with zero latency; each "
                + "number is per handover, over %d handovers after %d warm-up ones on the same JVM (seed %d). "
                + "Benchmark wall time %.1f s.%n%n", VOLUMES, r.measured(), r.warmup(), r.seed(), r.wallSeconds()));
        b.append("| case | wall ms (median) | state transitions | EC2/ASG calls | DescribeVolumes per poll | "
                + "attaches | detaches |\n|---|---|---|---|---|---|---|\n");
        for (CaseResult c : r.cases()) {
            Handover last = c.last();
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %s | %d | %d in %d step(s) | %s |%n",
                    c.c().description, c.median(Handover::wallMs), range(c.min(Handover::transitions),
                    c.max(Handover::transitions)), range(c.min(Handover::workflowTotal), c.max(Handover::workflowTotal)),
                    c.max(Handover::maxDescribeVolumesPerPoll), last.attachVolumeCalls(), last.attachSteps(),
                    last.detachVolumeCalls() == 0 ? "none needed" : last.detachVolumeCalls() + " in "
                            + last.detachSteps() + " step(s)"));
        }
        b.append("\nCalls of the handover workflow, by operation:\n\n");
        for (CaseResult c : r.cases()) {
            b.append("- ").append(c.c().description).append(": ").append(Calls.describe(c.last().workflowCalls()))
                    .append('\n');
        }
        b.append("\nGoals:\n\n| case | goal | measured | |\n|---|---|---|---|\n");
        for (CaseResult c : r.cases()) {
            for (Goal g : c.goals()) {
                b.append("| ").append(c.c().name().toLowerCase(Locale.ROOT)).append(" | ").append(g.name()).append(" | ")
                        .append(g.measured()).append(" | ").append(g.pass() ? "PASS" : "FAIL").append(" |\n");
            }
        }
        return b.toString();
    }

    private static String range(long min, long max) {
        return min == max ? Long.toString(min) : min + "-" + max;
    }
}
