package dev.lustreha.sim;

import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.errors.LustreHaException;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.ec2.SimEc2;
import dev.lustreha.roles.HealthStore;
import dev.lustreha.roles.ReleaseStore;
import dev.lustreha.roles.RoleStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the instance bootstrap does inside each simulated server, reduced to what the failover
 * depends on: once its OS is up and it is tagged with a role and epoch, it checks the epoch against
 * the table (refusing a stale one), waits for the role's volumes, formats them on the role's first
 * claim only (recording it, then clearing needsFormat under its epoch), and mounts them, then reports
 * them mounted at its epoch ({@code mountedEpoch}, {@code mountedAt}), as the bootstrap does. Mounted
 * volumes are what makes a detach without Force stay {@code busy} on a running instance.
 *
 * <p>A planned move: a mounted owner whose role item asks it to release at its epoch ({@code
 * releaseEpoch}) unmounts its targets and reports RELEASED with {@code unmountedEpoch} under owner and
 * epoch, as {@code instance/lustre-ha-health-agent} does; with the {@code unmount-hangs} fault it
 * never confirms (a umount stuck in the kernel), and the workflow must fall back to fencing it.
 */
final class GuestAgent {

    static final Duration PERIOD = Duration.ofSeconds(5);

    private final SimCloud cloud;
    private final RoleStore store;
    private final HealthStore health;
    private final ReleaseStore releases;
    /** Servers whose umount hangs (the {@code unmount-hangs} fault): asked to release, they never confirm. */
    private final Set<String> unmountHangs = ConcurrentHashMap.newKeySet();
    /** The epoch each instance last reported its targets mounted at: reported once per epoch. */
    private final Map<String, Long> reported = new ConcurrentHashMap<>();
    private final Map<RoleId, RoleResources> pool;
    private final Executor executor;
    private volatile boolean running = true;
    /** One scan at a time, as each instance runs one bootstrap: overlapping scans would format twice. */
    private final AtomicBoolean scanning = new AtomicBoolean();

    GuestAgent(SimCloud cloud, RoleStore store, HealthStore health, ReleaseStore releases,
            Map<RoleId, RoleResources> pool, Executor executor) {
        this.cloud = cloud;
        this.store = store;
        this.health = health;
        this.releases = releases;
        this.pool = pool;
        this.executor = executor;
    }

    void start() {
        cloud.clock().schedule(PERIOD, "guest agents", () -> {
            if (running) {
                executor.execute(this::scan);
                start();
            }
        });
    }

    void stop() {
        running = false;
    }

    void unmountHangs(String instance) {
        unmountHangs.add(instance);
    }

    private void scan() {
        if (!scanning.compareAndSet(false, true)) {
            return;
        }
        try {
            for (String instance : cloud.ec2().instanceIds()) {
                try {
                    visit(instance);
                } catch (LustreHaException | IllegalStateException | IllegalArgumentException raced) {
                    // The instance changed under us (stopped, re-claimed): the next scan sees the new state.
                }
            }
        } finally {
            scanning.set(false);
        }
    }

    private void visit(String instance) {
        if (!cloud.ec2().isBooted(instance) || cloud.ec2().isImpaired(instance)) {
            return;
        }
        Map<String, String> tags = cloud.ec2().tagsOf(instance);
        String roleTag = tags.get(Tags.ROLE);
        String epochTag = tags.get(Tags.EPOCH);
        if (roleTag == null || epochTag == null) {
            return;
        }
        RoleId id = RoleId.parse(roleTag);
        RoleResources resources = pool.get(id);
        // What the instance sees of itself first (its devices, its mounts); the table only when there is work.
        for (Volume v : resources.volumes()) {
            Optional<SimEc2.AttachmentView> a = cloud.ec2().volumeAttachment(v.volumeId());
            if (a.isEmpty() || !a.get().instanceId().equals(instance) || !"attached".equals(a.get().state())) {
                return; // wait for every target
            }
        }
        Set<String> mounted = cloud.ec2().mountedOn(instance);
        long epoch = Long.parseLong(epochTag);
        if (mounted.containsAll(resources.volumes().stream().map(Volume::volumeId).toList())) {
            if (!Long.valueOf(epoch).equals(reported.get(instance))) {
                // Mounted already (a claim by the same server at a new epoch): report it at this epoch.
                reportMounted(instance, resources.role(), epoch);
            }
            releaseIfAsked(instance, resources, epoch);
            return;
        }
        Optional<Role> role = store.load(resources.role());
        if (role.isEmpty() || !role.get().isOwnedBy(instance) || role.get().epoch() != epoch
                || role.get().state() != RoleState.SERVING) {
            return; // a stale epoch: the bootstrap refuses to mount
        }
        RoleKey key = resources.role();
        if ("true".equals(tags.get(Tags.NEEDS_FORMAT)) && role.get().needsFormat()) {
            for (Volume v : resources.volumes()) {
                cloud.history().record("Guest.Format", "instance", instance, "role", id.value(),
                        "volume", v.volumeId(), "epoch", epochTag);
            }
            store.markFormatted(key, instance, epoch);
        }
        for (Volume v : resources.volumes()) {
            if (!mounted.contains(v.volumeId())) {
                cloud.ec2().guestMount(instance, v.volumeId());
            }
        }
        reportMounted(instance, key, epoch);
    }

    /**
     * The agent's GetItem before each datapoint shows {@code releaseEpoch} = its epoch: it unmounts the
     * role's targets (a server holds one role here, so the Lustre order OSTs, MDTs, MGT is the role's
     * own), then reports RELEASED under owner, epoch and that request.
     */
    private void releaseIfAsked(String instance, RoleResources resources, long epoch) {
        Optional<Role> role = store.load(resources.role());
        if (role.isEmpty() || !role.get().isOwnedBy(instance) || role.get().epoch() != epoch
                || role.get().state() != RoleState.SERVING
                || !role.get().health().releaseEpoch().filter(e -> e == epoch).isPresent()) {
            return;
        }
        if (unmountHangs.contains(instance)) {
            return; // the umount never returns: nothing is reported
        }
        List<Volume> volumes = new ArrayList<>(resources.volumes());
        Collections.reverse(volumes);
        for (Volume v : volumes) {
            cloud.ec2().guestUnmount(instance, v.volumeId());
        }
        releases.markUnmounted(resources.role(), instance, epoch);
        cloud.history().record("Guest.Unmounted", "instance", instance, "role", resources.role().id().value(), "epoch",
                Long.toString(epoch));
    }

    /** The bootstrap's last step: {@code mountedEpoch = epoch, mountedAt = now} under owner and epoch. */
    private void reportMounted(String instance, RoleKey key, long epoch) {
        // Once per epoch, as the bootstrap reports once per boot: a refused report (a newer claim) is not retried.
        reported.put(instance, epoch);
        health.markMounted(key, instance, epoch);
        cloud.history().record("Guest.Mounted", "instance", instance, "role", key.id().value(), "epoch",
                Long.toString(epoch));
    }
}
