package dev.lustreha.sim.bench;

import dev.lustreha.local.cloud.History;
import dev.lustreha.local.ec2.RequestLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** API calls as the simulated cloud logged them, summed up. */
record Calls(List<History.Call> log) {

    static final String THROTTLED = "RequestLimitExceeded";

    /** Calls by operation ({@code Ec2.AttachVolume}, {@code AutoScaling.CompleteLifecycleAction}), failed ones included. */
    Map<String, Long> byOperation() {
        Map<String, Long> out = new TreeMap<>();
        log.forEach(c -> out.merge(c.operation(), 1L, Long::sum));
        return out;
    }

    long count(Predicate<History.Call> which) {
        return log.stream().filter(which).count();
    }

    long count(String operation) {
        return count(c -> c.operation().equals(operation));
    }

    long ec2AndAutoScaling() {
        return count(c -> c.operation().startsWith("Ec2.") || c.operation().startsWith("AutoScaling."));
    }

    long throttled() {
        return count(c -> THROTTLED.equals(c.error()));
    }

    Map<String, Long> throttledByOperation() {
        Map<String, Long> out = new TreeMap<>();
        log.stream().filter(c -> THROTTLED.equals(c.error())).forEach(c -> out.merge(c.operation(), 1L, Long::sum));
        return out;
    }

    /** An EC2 call of an action that changes something (EC2's "mutating" and uncategorized mutating actions). */
    static boolean mutatingEc2(History.Call c) {
        return c.operation().startsWith("Ec2.") && RequestLimits.isMutating(c.operation().substring("Ec2.".length()));
    }

    /**
     * The most calls matching {@code which} within any one second of virtual time (a sliding window
     * [t, t + 1 s) over the calls' times).
     */
    long peakPerSecond(Predicate<History.Call> which) {
        List<Instant> times = log.stream().filter(which).map(History.Call::at).sorted().toList();
        long best = 0;
        int from = 0;
        for (int to = 0; to < times.size(); to++) {
            while (!times.get(from).plus(Duration.ofSeconds(1)).isAfter(times.get(to))) {
                from++;
            }
            best = Math.max(best, to - from + 1);
        }
        return best;
    }

    /** "Ec2.AttachVolume 8, Ec2.DescribeVolumes 4, ..." (the service prefix kept). */
    static String describe(Map<String, Long> byOperation) {
        StringBuilder b = new StringBuilder();
        byOperation.forEach((op, n) -> {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(op).append(' ').append(n);
        });
        return b.length() == 0 ? "none" : b.toString();
    }
}
