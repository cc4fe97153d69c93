package dev.lustreha.local.cloud;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * The local cloud's virtual time and its scheduler. Every transient state of the simulated cloud
 * (attaching, stopping, Pending:Wait, ...) ends in an action scheduled here, and nothing happens
 * until the clock is advanced: by a test, step by step, or by a {@link Pacer} that maps wall time
 * to virtual time while real workflows run.
 *
 * <p>This object is also the one lock of the simulated cloud: every simulated API call and every
 * scheduled action runs while holding it, so the cloud's state changes one step at a time in a
 * single order, whatever threads call in.
 */
public final class SimClock {

    private final PriorityQueue<Timer> queue = new PriorityQueue<>();
    private Instant now;
    private long sequence;
    private Runnable afterEach = () -> { };

    public SimClock(Instant start) {
        this.now = start;
    }

    /** A scheduled action; {@link #cancel()} keeps it from running. */
    public final class Timer implements Comparable<Timer> {
        private final Instant at;
        private final long seq;
        private final String label;
        private final Runnable action;
        private boolean cancelled;

        private Timer(Instant at, long seq, String label, Runnable action) {
            this.at = at;
            this.seq = seq;
            this.label = label;
            this.action = action;
        }

        public void cancel() {
            synchronized (SimClock.this) {
                cancelled = true;
            }
        }

        public Instant at() {
            return at;
        }

        @Override
        public int compareTo(Timer o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public String toString() {
            return label + "@" + at;
        }
    }

    public synchronized Instant now() {
        return now;
    }

    /** A {@link Clock} that reads this virtual time, for code that takes a java.time clock. */
    public Clock asClock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("the simulated cloud runs in UTC");
            }

            @Override
            public Instant instant() {
                return now();
            }
        };
    }

    /** Runs {@code action} once the clock has advanced by {@code delay} (at the earliest on the next advance). */
    public synchronized Timer schedule(Duration delay, String label, Runnable action) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay " + delay + " for " + label);
        }
        Timer timer = new Timer(now.plus(delay), sequence++, label, action);
        queue.add(timer);
        return timer;
    }

    /**
     * Moves time forward by {@code duration}, running every action due on the way in time order
     * (ties in scheduling order). Actions may schedule more actions; those due within the window
     * run too.
     */
    public synchronized void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + duration);
        }
        Instant target = now.plus(duration);
        while (!queue.isEmpty() && !queue.peek().at.isAfter(target)) {
            Timer next = queue.poll();
            if (next.cancelled) {
                continue;
            }
            if (next.at.isAfter(now)) {
                now = next.at;
            }
            next.action.run();
            afterEach.run();
        }
        now = target;
    }

    /**
     * Runs the next pending action if it is due no later than {@code limit}, moving time to it:
     * one step of a run driven by its own thread alone (a deterministic simulation).
     *
     * @return false, time unchanged, when nothing is due by then
     */
    public synchronized boolean step(Instant limit) {
        Optional<Instant> next = nextDue();
        if (next.isEmpty() || next.get().isAfter(limit)) {
            return false;
        }
        advance(Duration.between(now, next.get().isBefore(now) ? now : next.get()));
        return true;
    }

    /** Runs {@code check} after every scheduled action, e.g. an invariant checker. */
    public synchronized void afterEach(Runnable check) {
        this.afterEach = check;
    }

    /** Runs what is due now without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** When the next pending action is due, if any. */
    public synchronized Optional<Instant> nextDue() {
        queue.removeIf(t -> t.cancelled);
        return Optional.ofNullable(queue.peek()).map(Timer::at);
    }
}
