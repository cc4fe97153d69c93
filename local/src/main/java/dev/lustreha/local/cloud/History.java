package dev.lustreha.local.cloud;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened in the simulated cloud, in order: every API call (by operation, succeeded or
 * failed) and every change of state, with the facts an invariant checker needs (for a detach: the
 * holder's instance state at that moment). Invariants are checked from this record, never from the
 * orchestrator's own logs.
 */
public final class History {

    /** One change of state, e.g. {@code Ec2.DetachVolume} with volume, instance, holder state and force. */
    public record Entry(Instant at, long seq, String action, Map<String, String> details) {
        public String get(String key) {
            return details.get(key);
        }
    }

    /**
     * One API call as it ended: when, which operation, and the AWS error code it failed with (null
     * when it succeeded), e.g. {@code RequestLimitExceeded} for a throttled one.
     */
    public record Call(Instant at, String operation, String error) {
    }

    private final SimClock clock;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Call> callLog = new ArrayList<>();
    private final Map<String, Long> calls = new TreeMap<>();
    private final Map<String, Long> failures = new TreeMap<>();

    public History(SimClock clock) {
        this.clock = clock;
    }

    /** Records a change of state; {@code details} are alternating keys and values. */
    public void record(String action, String... details) {
        if (details.length % 2 != 0) {
            throw new IllegalArgumentException("details are key/value pairs: " + List.of(details));
        }
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < details.length; i += 2) {
            if (details[i + 1] != null) {
                map.put(details[i], details[i + 1]);
            }
        }
        synchronized (clock) {
            entries.add(new Entry(clock.now(), entries.size(), action, Map.copyOf(map)));
        }
    }

    /**
     * Counts one API call, e.g. {@code Ec2.AttachVolume}, and logs it with the time; {@code error} is
     * the AWS error code it returned to the caller, or null when it succeeded.
     */
    public void recordCall(String operation, String error) {
        synchronized (clock) {
            calls.merge(operation, 1L, Long::sum);
            if (error != null) {
                failures.merge(operation, 1L, Long::sum);
            }
            callLog.add(new Call(clock.now(), operation, error));
        }
    }

    /** Every API call so far, in order, with its time and outcome. */
    public List<Call> callLog() {
        synchronized (clock) {
            return List.copyOf(callLog);
        }
    }

    /** How many API calls there were so far: the index a later {@link #callsFrom} starts at. */
    public int callCount() {
        synchronized (clock) {
            return callLog.size();
        }
    }

    /** The API calls from index {@code from} on. */
    public List<Call> callsFrom(int from) {
        synchronized (clock) {
            return List.copyOf(callLog.subList(Math.min(from, callLog.size()), callLog.size()));
        }
    }

    public List<Entry> entries() {
        synchronized (clock) {
            return List.copyOf(entries);
        }
    }

    /** How many entries there are: a cheap way to tell that something happened. */
    public int size() {
        synchronized (clock) {
            return entries.size();
        }
    }

    /** The entries from index {@code from} on (those recorded since a reader last looked). */
    public List<Entry> entriesFrom(int from) {
        synchronized (clock) {
            return List.copyOf(entries.subList(Math.min(from, entries.size()), entries.size()));
        }
    }

    public List<Entry> entries(String action) {
        return entries().stream().filter(e -> e.action().equals(action)).toList();
    }

    /** API calls by operation, failed ones included. */
    public Map<String, Long> calls() {
        synchronized (clock) {
            return Map.copyOf(calls);
        }
    }

    public Map<String, Long> failures() {
        synchronized (clock) {
            return Map.copyOf(failures);
        }
    }
}
