package dev.lustreha.cractest;

import java.util.ArrayList;
import java.util.List;

/**
 * The global context of the test CRaC implementation (see {@link Resource}): a checkpoint runs
 * every registered resource's {@code beforeCheckpoint}, last registered first, and the restore
 * their {@code afterRestore}, first registered first, as CRaC orders them. Like a real
 * implementation it holds what org.crac registers (org.crac's proxies) strongly; org.crac's
 * proxies hold the application's resources weakly.
 */
public final class Core {

    private static final Global GLOBAL = new Global();

    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }

    public static void checkpointRestore() throws CheckpointException, RestoreException {
        List<Resource> resources;
        synchronized (GLOBAL) {
            resources = List.copyOf(GLOBAL.resources);
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).beforeCheckpoint(GLOBAL);
            } catch (Exception e) {
                throw new CheckpointException(e);
            }
        }
        for (Resource r : resources) {
            try {
                r.afterRestore(GLOBAL);
            } catch (Exception e) {
                throw new RestoreException(e);
            }
        }
    }

    /** How many resources are registered. */
    public static synchronized int registered() {
        synchronized (GLOBAL) {
            return GLOBAL.resources.size();
        }
    }

    private static final class Global extends Context<Resource> {

        private final List<Resource> resources = new ArrayList<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.add(resource);
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
            throw new UnsupportedOperationException("the global context is not itself a resource of another");
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
            throw new UnsupportedOperationException("the global context is not itself a resource of another");
        }
    }
}
