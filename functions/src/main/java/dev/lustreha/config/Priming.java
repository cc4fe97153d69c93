package dev.lustreha.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart priming: work run once, before Lambda snapshots an initialised function, so that
 * every environment restored from the snapshot starts with the classes of its first request
 * already loaded, linked and initialised (and the hot paths interpreted a few times), rather than
 * paying for that on its first event.
 *
 * <p>Production's holders {@link #add add} their {@link Primers primers} as they build their
 * clients, so a function primes exactly the clients it built. The one instance registers with
 * {@code org.crac} when this class is initialised; the registration is held strongly here because
 * {@code org.crac} keeps only a weak reference to a resource, and a collected resource's hooks
 * would never run. Outside SnapStart (no CRaC implementation in the JVM) registering does nothing.
 *
 * <p>What may run before a snapshot: primers make no network connection and change nothing
 * anywhere (see {@link Primers}); they build no credentials, connections or random state that
 * would be shared by every environment restored from the snapshot. So {@link #afterRestore} has
 * nothing to refresh. A primer that fails is reported and skipped: priming only saves time, and a
 * failed hook would fail the function's publication.
 */
public final class Priming implements Resource {

    private static final Priming INSTANCE = new Priming();

    static {
        Core.getGlobalContext().register(INSTANCE);
    }

    private final Map<String, Runnable> primers = new LinkedHashMap<>();
    private final List<String> ran = new ArrayList<>();
    private int restores;

    private Priming() {
    }

    /** Adds work to run before the snapshot; a name added again replaces its work. */
    public static synchronized void add(String name, Runnable primer) {
        INSTANCE.primers.put(name, primer);
    }

    /** The primers added, in order. */
    static synchronized List<String> names() {
        return List.copyOf(INSTANCE.primers.keySet());
    }

    /** The primers that completed, in the order they ran, over every checkpoint so far. */
    static synchronized List<String> ran() {
        return List.copyOf(INSTANCE.ran);
    }

    /** How many times an environment was restored (afterRestore ran). */
    static synchronized int restores() {
        return INSTANCE.restores;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        List<Map.Entry<String, Runnable>> work;
        synchronized (Priming.class) {
            work = List.copyOf(primers.entrySet());
        }
        for (Map.Entry<String, Runnable> p : work) {
            long t0 = System.nanoTime();
            try {
                p.getValue().run();
                synchronized (Priming.class) {
                    ran.add(p.getKey());
                }
                System.out.println("priming " + p.getKey() + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (RuntimeException | LinkageError e) {
                System.out.println("priming " + p.getKey() + " failed, skipped: " + e);
            }
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Priming left nothing that must differ between restored environments (see the class comment).
        synchronized (Priming.class) {
            restores++;
        }
    }
}
