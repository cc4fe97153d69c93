package dev.lustreha.sim.bench;

import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.HealthFault;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 20's benchmark: for each failure only Lustre sees (and a hang, which EC2's status checks
 * see late), with and without a ready standby, the virtual seconds from the fault to the role's
 * health alarm and to every role SERVING again on a healthy server. Printed numbers, not a timed
 * test. Goals: detection within 40 s; every role serving again within 60 s with a standby, 150 s
 * without one.
 */
final class DetectionBenchmark {

    static final double DETECT_GOAL = 40;
    static final double STANDBY_GOAL = 60;
    static final double REPLACE_GOAL = 150;
    static final List<String> KINDS = List.of("hang", "lustre-unhealthy", "target-readonly", "lnet-down", "agent-silent");
    private static final String ROLE = "oss02";
    private static final Duration LIMIT = Duration.ofMinutes(20);

    record Run(String kind, boolean standby, Double detected, Double serving, int violations) {

        boolean goalsMet() {
            double goal = standby ? STANDBY_GOAL : REPLACE_GOAL;
            return detected != null && detected <= DETECT_GOAL && serving != null && serving <= goal && violations == 0;
        }
    }

    private final long seed;
    private final PrintStream out;

    DetectionBenchmark(long seed, PrintStream out) {
        this.seed = seed;
        this.out = out;
    }

    List<Run> run() {
        List<Run> runs = new ArrayList<>();
        for (boolean standby : List.of(true, false)) {
            for (String kind : KINDS) {
                Run r = once(kind, standby);
                out.printf(Locale.ROOT, "  %-17s %-10s alarm after %s, all serving after %s%n", kind,
                        standby ? "standby" : "no standby", s(r.detected()), s(r.serving()));
                runs.add(r);
            }
        }
        return runs;
    }

    private Run once(String kind, boolean standby) {
        FileSystemSpec spec = new FileSystemSpec(new FileSystemName("bench"), "us-east-1a", 1, 4, 2, standby ? 1 : 0);
        LocalCloud.Options options = LocalCloud.Options.deterministic(seed, Latency.aws())
                .withReconciler(Duration.ofMinutes(2));
        try (BenchCloud bc = BenchCloud.start(spec, options)) {
            LocalCloud cloud = bc.cloud;
            if (!cloud.awaitSettled(Duration.ofMinutes(30))) {
                throw new IllegalStateException("the file system did not serve at first");
            }
            // Steady state: a minute of healthy checks, every alarm OK.
            cloud.runUntil(bc.now().plusSeconds(60));
            String victim = cloud.role(ROLE).owner().orElseThrow();
            Instant fault = bc.now();
            switch (kind) {
                case "hang" -> bc.ec2().setHung(victim, true);
                case "lustre-unhealthy" -> cloud.healthFault(victim, HealthFault.LUSTRE_UNHEALTHY, fault.plus(LIMIT));
                case "target-readonly" -> cloud.healthFault(victim, HealthFault.TARGET_READONLY, fault.plus(LIMIT));
                case "lnet-down" -> cloud.healthFault(victim, HealthFault.LNET_DOWN, fault.plus(LIMIT));
                default -> cloud.healthFault(victim, HealthFault.SILENT, fault.plus(LIMIT));
            }
            String alarm = HealthAlarmSpec.alarmName(spec.name(), RoleId.parse(ROLE));
            boolean raised = cloud.awaitState(() -> alarmedSince(bc.history(), alarm, fault) != null, LIMIT);
            Double detected = raised ? seconds(fault, alarmedSince(bc.history(), alarm, fault)) : null;
            boolean back = cloud.awaitState(() -> !cloud.role(ROLE).isOwnedBy(victim) && cloud.allServing()
                    && cloud.roles().stream().noneMatch(r -> r.owner().filter(bc.ec2()::isImpaired).isPresent()), LIMIT);
            Double serving = back ? seconds(fault, bc.now()) : null;
            cloud.awaitState(() -> cloud.executions().idle(), Duration.ofMinutes(15));
            bc.checker.catchUp(bc.history());
            List<Invariants.Violation> v = bc.checker.violations();
            v.forEach(x -> out.println("    violation " + x.invariant() + ": " + x.detail()));
            return new Run(kind, standby, detected, serving, v.size());
        }
    }

    private static Instant alarmedSince(History h, String alarm, Instant after) {
        return h.entries("CloudWatch.AlarmStateChange").stream()
                .filter(e -> alarm.equals(e.get("alarm")) && "ALARM".equals(e.get("to")) && !e.at().isBefore(after))
                .map(History.Entry::at).findFirst().orElse(null);
    }

    private static double seconds(Instant from, Instant to) {
        return Math.round(Duration.between(from, to).toMillis() / 100.0) / 10.0;
    }

    private static String s(Double d) {
        return d == null ? "never" : String.format(Locale.ROOT, "%.1f s", d);
    }

    static void print(List<Run> runs, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "  %-17s %-10s %9s %12s  %s%n", "fault", "standby", "alarm s", "serving s", "goals");
        for (Run r : runs) {
            out.printf(Locale.ROOT, "  %-17s %-10s %9s %12s  %s%n", r.kind(), r.standby() ? "yes" : "no",
                    r.detected() == null ? "never" : String.format(Locale.ROOT, "%.1f", r.detected()),
                    r.serving() == null ? "never" : String.format(Locale.ROOT, "%.1f", r.serving()),
                    r.goalsMet() ? "PASS" : "FAIL");
        }
        out.printf(Locale.ROOT, "  goals: alarm <= %.0f s; every role serving again <= %.0f s with a standby, <= %.0f s "
                + "without; no invariant violated%n", DETECT_GOAL, STANDBY_GOAL, REPLACE_GOAL);
    }

    static String markdown(List<Run> runs) {
        StringBuilder md = new StringBuilder("### Detection (issue 20)\n\n");
        md.append("Virtual seconds from the fault (on oss02 of 1 MGS, 1 MDS, 4 OSS) to its health alarm, and to "
                + "every role SERVING again on a healthy server. Goals: alarm <= 40 s; all serving <= 60 s with a "
                + "standby, <= 150 s without.\n\n");
        md.append("| fault | standby | alarm (s) | all serving (s) | goals |\n|---|---|---:|---:|---|\n");
        for (Run r : runs) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.kind(), r.standby() ? "yes" : "no",
                    r.detected() == null ? "never" : String.format(Locale.ROOT, "%.1f", r.detected()),
                    r.serving() == null ? "never" : String.format(Locale.ROOT, "%.1f", r.serving()),
                    r.goalsMet() ? "met" : "NOT met"));
        }
        return md.toString();
    }
}
