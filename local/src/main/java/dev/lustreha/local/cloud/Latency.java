package dev.lustreha.local.cloud;

import java.time.Duration;
import java.util.Random;

/**
 * How long the simulated cloud's transient states last. {@link #aws()} follows what AWS users
 * measure (see docs/design.md §9): EBS attach and detach take 1-4 s, ENIs about as long, a
 * Nitro instance reaches {@code running} in about 10-20 s and boots its OS within a minute, a
 * force stop takes seconds, a clean OS shutdown tens of seconds. {@link #zero()} makes every
 * transition due at once (still visible until the clock runs). {@code taskInvoke} is what the in-JVM
 * state machine engine adds to each Task (the functions themselves run in no virtual time).
 */
public record Latency(
        Range instanceRunning,
        Range instanceBoot,
        Range gracefulStop,
        Range forcedStop,
        Range shutdown,
        Range volumeCreate,
        Range volumeAttach,
        Range volumeDetach,
        Range eniAttach,
        Range eniDetach,
        Range eventDelivery,
        Range taskInvoke) {

    /** A uniform range of durations, in milliseconds. */
    public record Range(long minMillis, long maxMillis) {
        public Range {
            if (minMillis < 0 || maxMillis < minMillis) {
                throw new IllegalArgumentException("bad range " + minMillis + ".." + maxMillis);
            }
        }

        public static Range seconds(double min, double max) {
            return new Range(Math.round(min * 1000), Math.round(max * 1000));
        }

        public Duration sample(Random random) {
            long span = maxMillis - minMillis;
            return Duration.ofMillis(minMillis + (span == 0 ? 0 : (long) (random.nextDouble() * span)));
        }
    }

    public static Latency zero() {
        Range none = new Range(0, 0);
        return new Latency(none, none, none, none, none, none, none, none, none, none, none, none);
    }

    public static Latency aws() {
        return new Latency(
                Range.seconds(8, 20),     // pending -> running
                Range.seconds(25, 50),    // running -> OS up (bootstrap can start)
                Range.seconds(20, 60),    // stopping -> stopped with an OS shutdown
                Range.seconds(2, 8),      // stopping -> stopped with Force / SkipOsShutdown
                Range.seconds(10, 40),    // shutting-down -> terminated
                Range.seconds(2, 8),      // creating -> available
                Range.seconds(1, 4),      // attaching -> attached
                Range.seconds(1, 4),      // detaching -> detached
                Range.seconds(1, 3),      // ENI attaching -> attached
                Range.seconds(1, 4),      // ENI detaching -> detached
                Range.seconds(0.2, 1),    // EventBridge delivery
                Range.seconds(0.03, 0.15)); // a Step Functions Task invoking a warm Lambda function, round trip
    }
}
