package dev.lustreha.local.cloud;

import java.time.Duration;

/**
 * Advances a {@link SimClock} in step with wall time, {@code speed} virtual seconds per wall
 * second, while real workflows run against the simulated cloud in wall time.
 */
public final class Pacer implements AutoCloseable {

    private static final long TICK_MILLIS = 5;

    private final Thread thread;
    private volatile boolean running = true;

    public Pacer(SimClock clock, double speed) {
        if (speed <= 0) {
            throw new IllegalArgumentException("speed must be positive: " + speed);
        }
        thread = new Thread(() -> {
            long last = System.nanoTime();
            double carryNanos = 0;
            while (running) {
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                long wall = System.nanoTime();
                carryNanos += (wall - last) * speed;
                last = wall;
                long whole = (long) carryNanos;
                carryNanos -= whole;
                clock.advance(Duration.ofNanos(whole));
            }
        }, "sim-pacer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
