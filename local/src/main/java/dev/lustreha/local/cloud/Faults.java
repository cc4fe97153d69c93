package dev.lustreha.local.cloud;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The faults injected into the simulated cloud, driven by one seeded {@link Random} so a run is
 * reproducible: API throttling in time windows, and lost or duplicated events. Faults tied to one
 * instance or volume (a hang, a stuck detach) live on that resource in the simulated EC2.
 */
public final class Faults {

    private record Window(Instant from, Instant until, double probability) {
        boolean covers(Instant t) {
            return !t.isBefore(from) && t.isBefore(until);
        }
    }

    private final Random random;
    private final List<Window> throttling = new ArrayList<>();
    private final List<Window> droppedEvents = new ArrayList<>();
    private final List<Window> duplicatedEvents = new ArrayList<>();

    public Faults(long seed) {
        this.random = new Random(seed);
    }

    /** The one source of randomness of the simulated cloud (ids, latencies, faults). */
    public Random random() {
        return random;
    }

    /** Between {@code from} and {@code until}, each API call fails as throttled with {@code probability}. */
    public synchronized void throttle(Instant from, Instant until, double probability) {
        throttling.add(new Window(from, until, probability));
    }

    /** Events published between {@code from} and {@code until} are lost. */
    public synchronized void dropEvents(Instant from, Instant until) {
        droppedEvents.add(new Window(from, until, 1.0));
    }

    /** Events published between {@code from} and {@code until} are delivered twice, in shuffled order. */
    public synchronized void duplicateEvents(Instant from, Instant until) {
        duplicatedEvents.add(new Window(from, until, 1.0));
    }

    public synchronized boolean throttled(Instant now) {
        for (Window w : throttling) {
            if (w.covers(now) && random.nextDouble() < w.probability) {
                return true;
            }
        }
        return false;
    }

    public synchronized boolean dropsEventAt(Instant now) {
        return droppedEvents.stream().anyMatch(w -> w.covers(now));
    }

    public synchronized boolean duplicatesEventAt(Instant now) {
        return duplicatedEvents.stream().anyMatch(w -> w.covers(now));
    }
}
