package dev.lustreha.sim;

import dev.lustreha.local.cloud.SimClock;
import dev.lustreha.reconcile.ReconcileHandler;
import dev.lustreha.reconcile.Reconciler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The reconciler's schedule on the local cloud: a run every {@code period} of virtual time, on the
 * worker pool (as EventBridge Scheduler invokes the function asynchronously). Runs do not overlap
 * here, to keep scenarios readable; overlapping runs are safe by design (ExecutionNames).
 */
final class ScheduledReconciler {

    private final SimClock clock;
    private final Reconciler reconciler;
    private final Duration period;
    private final Executor executor;
    private final Consumer<String> metrics;
    private final String fileSystem;
    private final List<Reconciler.Summary> runs = Collections.synchronizedList(new ArrayList<>());
    private final List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean stopped;

    /** @param metrics where each run's metric document goes, as the Lambda prints it to standard output */
    ScheduledReconciler(SimClock clock, Reconciler reconciler, Duration period, Executor executor, String fileSystem,
            Consumer<String> metrics) {
        this.clock = clock;
        this.fileSystem = fileSystem;
        this.metrics = metrics;
        this.reconciler = reconciler;
        this.period = period;
        this.executor = executor;
    }

    void start() {
        clock.schedule(period, "reconciler", () -> {
            if (!stopped) {
                executor.execute(this::runOnce);
                start();
            }
        });
    }

    void stop() {
        stopped = true;
    }

    private void runOnce() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            Reconciler.Summary summary = reconciler.reconcile();
            runs.add(summary);
            metrics.accept(ReconcileHandler.metrics(fileSystem, summary));
        } catch (RuntimeException e) {
            // A run that cannot gather its facts fails as the Lambda would; the next one tries again.
            failures.add(e);
        } finally {
            running.set(false);
        }
    }

    List<Reconciler.Summary> runs() {
        synchronized (runs) {
            return List.copyOf(runs);
        }
    }

    List<RuntimeException> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }
}
