package dev.lustreha.sim.bench;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.ec2.RequestLimits;
import dev.lustreha.local.sfn.HistoryEvent;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Issue 9, benchmark 4, scale: every OSS server of a large file system fails at once (terminated, or
 * hung so that each handover must fence), with and without standbys, on the local cloud with
 * AWS-like latencies in virtual time and EC2's request limits. Measured: the time until every role
 * is SERVING again against the physical limit, the peak rate of mutating EC2 calls, the calls EC2
 * throttled, claim conflicts, failed handovers and invariant violations.
 *
 * <p>The physical limit is computed from the latencies the run actually sampled. Per OSS role, with
 * t0 the moment of the fault: the old side is free when the old owner's termination completed
 * (terminated: EC2 releases the volumes and ENI then), or when its forced stop completed plus the
 * slowest of its resources' detaches (hung); the new side is ready at t0 for a standby, or after the
 * replacement's pending-to-running time (its launch counted from t0); the role can serve once both
 * are done plus the slowest of its resources' attaches. The limit is the largest over the roles: what
 * an orchestrator that acted at once, with no event delay, no Task latency and no API limits, would
 * reach. EC2's request limits give a second, larger bound: the same chains when every forced stop,
 * detach and attach must first get a token from its action's request bucket (full at the fault),
 * first come first served as roles become ready, with no token wasted.
 */
final class ScaleBenchmark {

    static final Duration RECONCILE_EVERY = Duration.ofMinutes(2);
    static final Duration LIMIT = Duration.ofMinutes(60);

    enum Variant {
        TERMINATE("terminate", false, false),
        TERMINATE_STANDBY("terminate+standby", false, true),
        HUNG("hung", true, false),
        HUNG_STANDBY("hung+standby", true, true);

        final String wire;
        final boolean hung;
        final boolean standbys;

        Variant(String wire, boolean hung, boolean standbys) {
            this.wire = wire;
            this.hung = hung;
            this.standbys = standbys;
        }

        static List<String> names() {
            return Arrays.stream(values()).map(v -> v.wire).toList();
        }

        static Variant parse(String s) {
            return Arrays.stream(values()).filter(v -> v.wire.equals(s)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown variant " + s + " (one of " + names() + ")"));
        }
    }

    /** One role's chain of the physical limit, in seconds after the fault. */
    record Chain(String role, double oldFree, double newReady, double attach, double total, boolean launched) {
    }

    record RunResult(Variant variant, int oss, int volumes, int standbys, double bootVirtual, double bootWall,
            double allServing, Chain worst, double apiBound, long peakMutatingAccepted, long peakMutatingAttempted,
            long throttled, Map<String, Long> throttledByOperation, long conflicts, Map<String, Long> outcomes,
            long retries, List<Invariants.Violation> violations, Map<String, Long> calls, double wallSeconds,
            double runWallSeconds) {

        double ratio() {
            return allServing / worst.total();
        }

        double bound() {
            return apiBound;
        }

        boolean goalsMet() {
            return allServing <= 1.1 * worst.total() && conflicts == 0 && violations.isEmpty();
        }
    }

    record Result(List<RunResult> runs, long seed) {
    }

    private final int oss;
    private final int volumes;
    private final int standbys;
    private final long seed;
    private final List<Variant> variants;
    private final PrintStream out;

    ScaleBenchmark(int oss, int volumes, int standbys, long seed, List<Variant> variants, PrintStream out) {
        this.oss = oss;
        this.volumes = volumes;
        this.standbys = standbys;
        this.seed = seed;
        this.variants = variants;
        this.out = out;
    }

    Result run() {
        List<RunResult> runs = new ArrayList<>();
        for (Variant v : variants) {
            runs.add(run(v));
        }
        return new Result(runs, seed);
    }

    private RunResult run(Variant v) {
        long wallStart = System.nanoTime();
        int spares = v.standbys ? standbys : 0;
        FileSystemSpec spec = new FileSystemSpec(new FileSystemName("bench"), "us-east-1a", 1, oss, volumes, spares);
        LocalCloud.Options options = LocalCloud.Options.deterministic(seed, Latency.aws()).withReconciler(RECONCILE_EVERY);
        out.printf(Locale.ROOT, "  scale %-18s booting %d servers ...%n", v.wire, 2 + oss + spares);
        try (BenchCloud bench = BenchCloud.start(spec, options)) {
            LocalCloud cloud = bench.cloud;
            Instant origin = bench.now();
            if (!bench.awaitQuiet(LIMIT)) {
                throw new IllegalStateException(v.wire + ": the first boot did not settle within " + LIMIT);
            }
            double bootVirtual = seconds(origin, bench.now());
            double bootWall = (System.nanoTime() - wallStart) / 1e9;
            // Quiet for a while: the buckets of EC2's request limits are full when the servers fail.
            cloud.runUntil(bench.now().plus(Duration.ofMinutes(2)));
            out.printf(Locale.ROOT, "  scale %-18s booted in %.0f virtual s (%.1f s wall); failing %d OSS servers%n",
                    v.wire, bootVirtual, bootWall, oss);

            Map<String, String> owners = new LinkedHashMap<>();
            for (Role r : cloud.roles()) {
                if (r.id().type() == RoleType.OSS) {
                    owners.put(r.id().value(), r.owner().orElseThrow());
                }
            }
            Instant t0 = bench.now();
            int entryMark = bench.history().size();
            if (v.hung) {
                for (String owner : owners.values()) {
                    // Auto Scaling's EC2 health check marks a hung server Unhealthy once its status checks fail
                    // and replaces it, launching first: here at the moment of the hang, so that what is
                    // measured is the failover, not the few minutes the health check tolerates.
                    bench.ec2().setHung(owner, true);
                    cloud.sim().autoScaling().setInstanceHealth(r -> r.instanceId(owner).healthStatus("Unhealthy")
                            .shouldRespectGracePeriod(false));
                }
            } else {
                bench.ec2().terminateInstances(r -> r.instanceIds(owners.values()));
            }
            int callMark = bench.history().callCount();
            int execMark = cloud.executions().all().size();
            int metricMark = cloud.metricLines().size();
            long runWall = System.nanoTime();
            // A hung owner still "serves" on paper: every OSS role must have moved to another server.
            boolean served = cloud.awaitState(() -> movedOn(bench, owners) && bench.handedOver(), LIMIT);
            double allServing = seconds(t0, bench.now());
            out.printf(Locale.ROOT, "  scale %-18s %s after %.1f virtual s (%.1f s wall)%n", v.wire,
                    served ? "every role SERVING" : "NOT every role SERVING", allServing,
                    (System.nanoTime() - runWall) / 1e9);
            boolean quiet = bench.awaitQuiet(LIMIT);
            if (!quiet) {
                out.println("  scale " + v.wire + ": still busy " + LIMIT.toMinutes() + " virtual minutes after the fault");
            }
            double runWallSeconds = (System.nanoTime() - runWall) / 1e9;
            bench.checker.catchUp(bench.history());
            List<Invariants.Violation> violations = new ArrayList<>(bench.checker.finish());
            if (!served) {
                violations.add(new Invariants.Violation("I6", "not every role SERVING within " + LIMIT));
            }

            List<History.Call> window = bench.history().callsFrom(callMark);
            Calls calls = new Calls(window);
            List<String> metrics = cloud.metricLines();
            long conflicts = metrics.subList(metricMark, metrics.size()).stream()
                    .filter(l -> l.contains("\"ClaimConflicts\"")).count();
            Map<String, Long> outcomes = new TreeMap<>();
            long retries = 0;
            for (BenchCloud.Finished f : bench.executionsFrom(execMark)) {
                if (f.handover()) {
                    outcomes.merge(f.outcome(), 1L, Long::sum);
                    retries += f.result().events(HistoryEvent.STATE_RETRIED).size();
                }
            }
            List<RoleTimes> sampled = sampled(bench, owners, entryMark);
            Chain worst = physicalLimit(sampled, v.hung);
            double apiBound = apiLimited(sampled, v.hung);
            return new RunResult(v, oss, volumes, spares, bootVirtual, bootWall, served ? allServing : Double.NaN, worst,
                    apiBound, calls.peakPerSecond(c -> Calls.mutatingEc2(c) && c.error() == null),
                    calls.peakPerSecond(Calls::mutatingEc2), calls.throttled(), calls.throttledByOperation(), conflicts,
                    outcomes, retries, violations, calls.byOperation(), (System.nanoTime() - wallStart) / 1e9,
                    runWallSeconds);
        }
    }

    /** True when no OSS role is owned by the server that owned it before the fault. */
    private static boolean movedOn(BenchCloud bench, Map<String, String> owners) {
        for (Role r : bench.cloud.roles()) {
            String old = owners.get(r.id().value());
            if (old != null && r.owner().filter(old::equals).isPresent()) {
                return false;
            }
        }
        return true;
    }

    /** What the run sampled for one failed OSS role, in seconds (see the class comment). */
    record RoleTimes(String role, boolean launched, double shutdown, double stop, double newReady,
            Map<String, Double> detach, Map<String, Double> attach, Map<String, String> actionOf) {
    }

    /** The latencies each failed OSS role's chain took, from what the history recorded after {@code entryMark}. */
    private static List<RoleTimes> sampled(BenchCloud bench, Map<String, String> owners, int entryMark) {
        List<History.Entry> entries = bench.history().entriesFrom(entryMark);
        Map<String, Instant> launched = new HashMap<>();
        Map<String, Map<String, Instant>> states = new HashMap<>();
        Map<String, Instant> firstForcedStop = new HashMap<>();
        Map<String, Instant> lastCall = new HashMap<>();
        Map<String, Double> detachSeconds = new HashMap<>();
        Map<String, Double> attachSeconds = new HashMap<>();
        for (History.Entry e : entries) {
            switch (e.action()) {
                case "Ec2.Launch" -> launched.put(e.get("instance"), e.at());
                case "Ec2.InstanceState" -> states.computeIfAbsent(e.get("instance"), k -> new HashMap<>())
                        .putIfAbsent(e.get("state"), e.at());
                case "Ec2.StopInstances" -> {
                    if (Boolean.parseBoolean(e.get("force"))) {
                        firstForcedStop.putIfAbsent(e.get("instance"), e.at());
                    }
                }
                case "Ec2.DetachVolume" -> lastCall.put("detach " + e.get("volume"), e.at());
                case "Ec2.DetachNetworkInterface" -> lastCall.put("detach " + e.get("eni"), e.at());
                case "Ec2.AttachVolume" -> lastCall.put("attach " + e.get("volume") + " " + e.get("instance"), e.at());
                case "Ec2.AttachNetworkInterface" -> lastCall.put("attach " + e.get("eni") + " " + e.get("instance"), e.at());
                case "Ec2.VolumeDetached" -> since(lastCall.get("detach " + e.get("volume")), e.at())
                        .ifPresent(x -> detachSeconds.put(e.get("volume"), x));
                case "Ec2.NetworkInterfaceDetached" -> since(lastCall.get("detach " + e.get("eni")), e.at())
                        .ifPresent(x -> detachSeconds.put(e.get("eni"), x));
                case "Ec2.VolumeAttached" -> since(lastCall.get("attach " + e.get("volume") + " " + e.get("instance")),
                        e.at()).ifPresent(x -> attachSeconds.put(e.get("volume") + " " + e.get("instance"), x));
                case "Ec2.NetworkInterfaceAttached" -> since(lastCall.get("attach " + e.get("eni") + " " + e.get("instance")),
                        e.at()).ifPresent(x -> attachSeconds.put(e.get("eni") + " " + e.get("instance"), x));
                default -> {
                }
            }
        }
        Map<String, Role> roles = new HashMap<>();
        bench.cloud.roles().forEach(r -> roles.put(r.id().value(), r));
        List<RoleTimes> out = new ArrayList<>();
        for (RoleResources res : bench.cloud.pool()) {
            String role = res.role().id().value();
            String old = owners.get(role);
            if (old == null) {
                continue;
            }
            String owner = roles.get(role).owner().orElseThrow();
            Map<String, String> actionOf = new LinkedHashMap<>();
            res.volumes().forEach(v -> actionOf.put(v.volumeId(), "Volume"));
            actionOf.put(res.network().eniId(), "NetworkInterface");
            Map<String, Instant> oldStates = states.getOrDefault(old, Map.of());
            Instant down = oldStates.get("shutting-down");
            Instant gone = oldStates.get("terminated");
            Instant stop = firstForcedStop.get(old);
            Instant stopped = oldStates.get("stopped");
            Instant launch = launched.get(owner);
            Instant running = states.getOrDefault(owner, Map.of()).get("running");
            boolean isNew = launch != null && running != null;
            Map<String, Double> detach = new LinkedHashMap<>();
            Map<String, Double> attach = new LinkedHashMap<>();
            for (String r : actionOf.keySet()) {
                detach.put(r, detachSeconds.getOrDefault(r, 0.0));
                attach.put(r, attachSeconds.getOrDefault(r + " " + owner, 0.0));
            }
            out.add(new RoleTimes(role, isNew, down == null || gone == null ? 0 : seconds(down, gone),
                    stop == null || stopped == null ? 0 : seconds(stop, stopped), isNew ? seconds(launch, running) : 0,
                    detach, attach, actionOf));
        }
        return out;
    }

    /** The slowest role's chain with no API limits: old side free, new side ready, then the slowest attach. */
    private static Chain physicalLimit(List<RoleTimes> roles, boolean hung) {
        Chain worst = new Chain("none", 0, 0, 0, 0, false);
        for (RoleTimes r : roles) {
            double oldFree = hung ? r.stop() + max(r.detach()) : r.shutdown();
            double attach = max(r.attach());
            Chain c = new Chain(r.role(), oldFree, r.newReady(), attach, Math.max(oldFree, r.newReady()) + attach,
                    r.launched());
            if (c.total() > worst.total()) {
                worst = c;
            }
        }
        return worst;
    }

    /**
     * The same chains with EC2's request limits: every forced stop, detach and attach draws a token from
     * its action's bucket (full at the fault), calls served first come first served as their role becomes
     * ready, each resource done its own sampled latency after its call. What an orchestrator that never
     * wasted a token would reach: the latest role's end.
     */
    private static double apiLimited(List<RoleTimes> roles, boolean hung) {
        Map<String, Bucket> buckets = new HashMap<>();
        Map<String, Double> oldFree = new HashMap<>();
        if (hung) {
            Map<String, Double> stopped = new HashMap<>();
            for (RoleTimes r : roles) {
                stopped.put(r.role(), bucket(buckets, "StopInstances").take(0) + r.stop());
            }
            for (RoleTimes r : sortedBy(roles, stopped)) {
                double done = stopped.get(r.role());
                for (Map.Entry<String, String> res : r.actionOf().entrySet()) {
                    double call = bucket(buckets, "Detach" + res.getValue()).take(stopped.get(r.role()));
                    done = Math.max(done, call + r.detach().get(res.getKey()));
                }
                oldFree.put(r.role(), done);
            }
        } else {
            roles.forEach(r -> oldFree.put(r.role(), r.shutdown()));
        }
        Map<String, Double> ready = new HashMap<>();
        roles.forEach(r -> ready.put(r.role(), Math.max(oldFree.get(r.role()), r.newReady())));
        double end = 0;
        for (RoleTimes r : sortedBy(roles, ready)) {
            for (Map.Entry<String, String> res : r.actionOf().entrySet()) {
                double call = bucket(buckets, "Attach" + res.getValue()).take(ready.get(r.role()));
                end = Math.max(end, call + r.attach().get(res.getKey()));
            }
        }
        return end;
    }

    /** A request token bucket of an action, full at time 0 and refilled continuously. */
    private static final class Bucket {
        private final RequestLimits.Limit limit;
        private double tokens;
        private double at;

        Bucket(RequestLimits.Limit limit) {
            this.limit = limit;
            this.tokens = limit.capacity();
        }

        /** The time a call ready at {@code ready} goes out, taking its token (calls come in order of readiness). */
        double take(double ready) {
            double t = Math.max(ready, at);
            tokens = Math.min(limit.capacity(), tokens + (t - at) * limit.refillPerSecond());
            if (tokens < 1) {
                t += (1 - tokens) / limit.refillPerSecond();
                tokens = 1;
            }
            tokens -= 1;
            at = t;
            return t;
        }
    }

    private static Bucket bucket(Map<String, Bucket> buckets, String action) {
        return buckets.computeIfAbsent(action, a -> new Bucket(RequestLimits.requestLimit(a, false)));
    }

    private static List<RoleTimes> sortedBy(List<RoleTimes> roles, Map<String, Double> key) {
        return roles.stream().sorted(Comparator.comparingDouble(r -> key.get(r.role()))).toList();
    }

    private static double max(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static Optional<Double> since(Instant from, Instant to) {
        return from == null ? Optional.empty() : Optional.of(seconds(from, to));
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    // ---------------------------------------------------------------- reporting

    static void print(Result r, PrintStream out) {
        out.println();
        out.println("Scale: every OSS server fails at once; AWS-like latencies in virtual time; EC2 request limits on; "
                + "reconciler every " + RECONCILE_EVERY.toMinutes() + " min (seed " + r.seed() + ")");
        out.printf(Locale.ROOT, "  %-18s %5s %8s %8s %6s %8s %6s %7s %9s %9s %9s %9s %6s%n", "variant", "roles", "SERVING",
                "physical", "ratio", "API bound", "ratio", "peak/s", "throttled", "conflicts", "failed", "violation",
                "wall");
        for (RunResult x : r.runs()) {
            out.printf(Locale.ROOT, "  %-18s %5d %7.1fs %7.1fs %6.2f %7.1fs %6.2f %3d/%-3d %9d %9d %9d %9d %5.0fs%n",
                    x.variant().wire, x.oss(), x.allServing(), x.worst().total(), x.ratio(), x.bound(),
                    x.allServing() / x.bound(), x.peakMutatingAccepted(), x.peakMutatingAttempted(), x.throttled(),
                    x.conflicts(), x.outcomes().getOrDefault("FAILED", 0L), x.violations().size(), x.wallSeconds());
        }
        for (RunResult x : r.runs()) {
            out.println();
            out.printf(Locale.ROOT, "  %s: %d OSS x %d volumes, %d standbys; first boot %.0f virtual s (%.1f s wall); "
                    + "failover run %.1f s wall%n", x.variant().wire, x.oss(), x.volumes(), x.standbys(), x.bootVirtual(),
                    x.bootWall(), x.runWallSeconds());
            Chain w = x.worst();
            out.printf(Locale.ROOT, "    slowest chain %s: old side free %.1f s, new side ready %.1f s%s, attach %.1f s "
                    + "= %.1f s%n", w.role(), w.oldFree(), w.newReady(), w.launched() ? " (launched)" : " (standby)",
                    w.attach(), w.total());
            out.printf(Locale.ROOT, "    the same chains under EC2's request limits, no token wasted: %.1f s%n", x.bound());
            out.println("    handovers by outcome: " + x.outcomes() + "; state retries " + x.retries());
            out.println("    throttled (RequestLimitExceeded): " + Calls.describe(x.throttledByOperation()));
            out.println("    calls: " + Calls.describe(x.calls()));
            for (String g : goals(x)) {
                out.println("    " + g);
            }
            x.violations().stream().limit(10).forEach(v -> out.println("    violation " + v.invariant() + ": " + v.detail()));
        }
    }

    private static List<String> goals(RunResult x) {
        return List.of(
                pass(x.allServing() <= 1.1 * x.worst().total()) + " within 10% of the physical limit ("
                        + String.format(Locale.ROOT, "%.1f s vs %.1f s", x.allServing(), x.worst().total()) + ")",
                pass(x.conflicts() == 0) + " 0 claim conflicts (" + x.conflicts() + ")",
                pass(x.violations().isEmpty()) + " 0 invariant violations (" + x.violations().size() + ")",
                (x.allServing() <= 1.1 * x.bound() ? "PASS" : "FAIL") + " (not an issue goal) within 10% of the bound "
                        + "EC2's request limits allow ("
                        + String.format(Locale.ROOT, "%.1f s vs %.1f s", x.allServing(), x.bound()) + ")");
    }

    private static String pass(boolean ok) {
        return ok ? "PASS" : "FAIL";
    }

    static String markdown(Result r) {
        StringBuilder b = new StringBuilder("### Scale\n\n");
        b.append("Every OSS server fails at once, on the local cloud with AWS-like latencies in virtual time, EC2's "
                + "request limits and the reconciler every " + RECONCILE_EVERY.toMinutes() + " minutes (seed "
                + r.seed() + "). *SERVING*: every role SERVING on a running owner that holds its ENI and volumes. "
                + "*Physical*: the slowest role's chain from the latencies the run sampled (old owner terminated, or "
                + "force-stopped then detached; the replacement's launch unless a standby took the role; the "
                + "attaches). *API bound*: the same chains when every forced stop, detach and attach must also get a "
                + "token from its action's EC2 request bucket (full at the fault), first come first served, no "
                + "token wasted. *Peak/s*: the most mutating EC2 calls within one second, accepted / "
                + "attempted.\n\n");
        b.append("| variant | roles | standbys | SERVING after | physical | ratio | API bound | ratio | peak/s | "
                + "throttled | conflicts | failed handovers | violations | wall |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (RunResult x : r.runs()) {
            b.append(String.format(Locale.ROOT, "| %s | %d x %d | %d | %.1f s | %.1f s | %.2f | %.1f s | %.2f | %d / %d | "
                    + "%d | %d | %d | %d | %.0f s |%n", x.variant().wire, x.oss(), x.volumes(), x.standbys(),
                    x.allServing(), x.worst().total(), x.ratio(), x.bound(), x.allServing() / x.bound(),
                    x.peakMutatingAccepted(), x.peakMutatingAttempted(), x.throttled(), x.conflicts(),
                    x.outcomes().getOrDefault("FAILED", 0L), x.violations().size(), x.wallSeconds()));
        }
        b.append('\n');
        for (RunResult x : r.runs()) {
            b.append("- ").append(x.variant().wire).append(": slowest chain ").append(x.worst().role())
                    .append(String.format(Locale.ROOT, " (old side %.1f s, new side %.1f s%s, attach %.1f s)",
                            x.worst().oldFree(), x.worst().newReady(), x.worst().launched() ? " launched" : " standby",
                            x.worst().attach()))
                    .append("; handovers ").append(x.outcomes()).append("; throttled ")
                    .append(Calls.describe(x.throttledByOperation())).append("; goals: ")
                    .append(String.join("; ", goals(x))).append('\n');
        }
        return b.toString();
    }
}
