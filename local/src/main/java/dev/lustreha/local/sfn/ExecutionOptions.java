package dev.lustreha.local.sfn;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How long an execution's waits and retry pauses last locally.
 *
 * @param timeScale the factor applied to every duration the definition fixes: {@code Seconds} of
 *     Wait states, {@code IntervalSeconds} (default 1) and {@code MaxDelaySeconds} of retriers, so
 *     exponential backoff keeps its shape; 1 is real time, 0 never pauses. Task timeouts and the
 *     execution's {@code TimeoutSeconds} are not scaled: they bound real work.
 * @param waitOverrides what a named Wait state pauses for instead, whatever its definition says;
 *     the way to shorten waits given by {@code SecondsPath} or a timestamp, which no factor reaches
 * @param retryOverrides the fixed pause before each retry of a named state, instead of its
 *     retriers' schedule
 */
public record ExecutionOptions(double timeScale, Map<String, Duration> waitOverrides, Map<String, Duration> retryOverrides) {

    /** Every wait and retry pause as the definition says. */
    public static final ExecutionOptions REAL_TIME = new ExecutionOptions(1, Map.of(), Map.of());

    public ExecutionOptions {
        if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("time scale must be a finite number >= 0: " + timeScale);
        }
        waitOverrides = Map.copyOf(waitOverrides);
        retryOverrides = Map.copyOf(retryOverrides);
    }

    /** Waits and retry pauses {@code timeScale} times as long as the definition says. */
    public static ExecutionOptions scaled(double timeScale) {
        return new ExecutionOptions(timeScale, Map.of(), Map.of());
    }

    public ExecutionOptions withWait(String state, Duration pause) {
        Map<String, Duration> waits = new HashMap<>(waitOverrides);
        waits.put(state, pause);
        return new ExecutionOptions(timeScale, waits, retryOverrides);
    }

    public ExecutionOptions withRetryPause(String state, Duration pause) {
        Map<String, Duration> retries = new HashMap<>(retryOverrides);
        retries.put(state, pause);
        return new ExecutionOptions(timeScale, waitOverrides, retries);
    }
}
