package dev.lustreha.pools;

import dev.lustreha.domain.EniView;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.domain.VolumeView;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.errors.BadInputException;
import dev.lustreha.health.HealthAlarms;
import dev.lustreha.roles.RoleStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates, grows, shrinks and deletes a file system's pool: per role one ENI and its volumes
 * (encrypted, tagged with file system, role and target label), registered in the Resources table,
 * and the vacant role items. Idempotent across retries: a resource is looked up by its tags first,
 * and created with a client token derived from the stack, so a retried call returns what an earlier,
 * interrupted attempt made instead of a duplicate. Data is never lost by default: a role that was
 * ever claimed is never removed, and deleting the pool keeps its ENIs and volumes unless told not to.
 *
 * <p>Each role's health alarm follows the role: made (or updated) with it, deleted when the role
 * is removed, and deleted with the stack whatever DeleteDataOnStackDelete says. An alarm holds no
 * data; one left behind would stay raised forever (missing data is breaching) and be billed as a
 * high-resolution alarm, with no trigger left to read it.
 */
public final class PoolProvisioner {

    /** What the stack reports back: the MGS NID clients mount, the role serving the MGS, the number of roles. */
    public record Result(String mgsNid, String mgsRole, int roles) {
    }

    private final Ec2Gateway aws;
    private final RoleStore store;
    private final Clock clock;
    /** Null: no health alarms (a deployment without health detection). */
    private final HealthAlarms alarms;

    public PoolProvisioner(Ec2Gateway aws, RoleStore store, Clock clock) {
        this(aws, store, clock, null);
    }

    public PoolProvisioner(Ec2Gateway aws, RoleStore store, Clock clock, HealthAlarms alarms) {
        this.aws = aws;
        this.store = store;
        this.clock = clock;
        this.alarms = alarms;
    }

    /** Create, or grow: makes whatever role, ENI or volume is missing. */
    public Result ensure(PoolSpec spec, String tokenSeed) {
        String az = aws.availabilityZoneOf(spec.subnetId());
        String mgsNid = null;
        for (RoleId id : spec.roles()) {
            RoleResources resources = ensureRole(spec, id, az, tokenSeed);
            store.registerResources(resources);
            store.createIfAbsent(Role.vacant(resources.role(), az, clock.instant()));
            if (alarms != null) {
                alarms.ensure(spec.fileSystem(), id, spec.health());
            }
            if (id.equals(spec.mgsRole())) {
                mgsNid = resources.network().privateIp() + "@tcp";
            }
        }
        return new Result(mgsNid, spec.mgsRole().value(), spec.roles().size());
    }

    /**
     * An update: the file system and its volumes per OSS stay as they are; roles may be added, and
     * removed only while they were never claimed (they hold no data), in which case their unused
     * ENI and volumes are deleted.
     */
    public Result update(PoolSpec previous, PoolSpec next, String tokenSeed) {
        if (!previous.fileSystem().equals(next.fileSystem())) {
            throw new BadInputException("the file system name cannot change (" + previous.fileSystem() + " -> "
                    + next.fileSystem() + "): deploy a new stack for a new file system");
        }
        if (previous.mgsOnMds() != next.mgsOnMds()) {
            throw new BadInputException("MgsOnMds cannot change (" + previous.mgsOnMds() + " -> " + next.mgsOnMds()
                    + "): the MGT is formatted where it is; deploy a new stack for another layout");
        }
        if (previous.volumesPerOss() != next.volumesPerOss()) {
            throw new BadInputException("VolumesPerOss cannot change for existing OSS roles (" + previous.volumesPerOss()
                    + " -> " + next.volumesPerOss() + "): their targets are formatted");
        }
        List<RoleId> removed = new ArrayList<>(previous.roles());
        removed.removeAll(next.roles());
        for (RoleId id : removed) {
            Optional<Role> role = store.load(new RoleKey(previous.fileSystem(), id));
            if (role.isPresent() && (role.get().state() != RoleState.VACANT || role.get().epoch() != 0)) {
                throw new BadInputException("refusing to remove " + id + ": it was claimed (state " + role.get().state()
                        + ", epoch " + role.get().epoch() + ") and its targets may hold data; move its data off and "
                        + "remove it by hand, or keep the role count");
            }
        }
        for (RoleId id : removed) {
            RoleKey key = new RoleKey(previous.fileSystem(), id);
            Optional<RoleResources> resources = store.resources(key);
            store.deleteVacant(key);
            resources.ifPresent(this::deleteResources);
        }
        if (alarms != null && !removed.isEmpty()) {
            alarms.delete(previous.fileSystem(), removed);
        }
        return ensure(next, tokenSeed);
    }

    /**
     * Stack deletion: deletes the health alarms; keeps ENIs, volumes and table items unless the pool
     * says to delete its data.
     */
    public void delete(PoolSpec spec) {
        if (alarms != null) {
            alarms.delete(spec.fileSystem(), spec.roles());
        }
        if (!spec.deleteDataOnDelete()) {
            return;
        }
        for (RoleId id : spec.roles()) {
            store.resources(new RoleKey(spec.fileSystem(), id)).ifPresent(this::deleteResources);
        }
    }

    private void deleteResources(RoleResources r) {
        for (Volume v : r.volumes()) {
            aws.deleteVolume(v.volumeId());
        }
        aws.deleteEni(r.network().eniId());
    }

    private RoleResources ensureRole(PoolSpec spec, RoleId id, String az, String tokenSeed) {
        String fs = spec.fileSystem().value();
        Map<String, String> roleTags = Map.of(Tags.FILE_SYSTEM, fs, Tags.ROLE, id.value());
        List<EniView> enis = aws.enisTagged(roleTags);
        if (enis.size() > 1) {
            throw new BadInputException(enis.size() + " ENIs are tagged as " + fs + "/" + id + "; remove the extra ones");
        }
        NetworkIdentity network;
        if (enis.isEmpty()) {
            Ec2Gateway.NetworkIdentityView made = aws.createEni(spec.subnetId(), spec.securityGroups(),
                    "lustre-ha " + fs + " " + id + " (Lustre NID)", token(tokenSeed, fs, id.value(), "eni"), roleTags);
            network = new NetworkIdentity(made.eniId(), made.privateIp());
        } else {
            String eniId = enis.get(0).eniId();
            network = new NetworkIdentity(eniId, aws.privateIpOf(eniId));
        }
        Map<String, String> existing = new LinkedHashMap<>();
        for (Map.Entry<VolumeView, Map<String, String>> v : aws.volumesTagged(roleTags).entrySet()) {
            String label = v.getValue().get(Tags.TARGET);
            if (label != null && !"deleting".equals(v.getKey().state()) && !"deleted".equals(v.getKey().state())) {
                existing.putIfAbsent(label, v.getKey().volumeId());
            }
        }
        List<Volume> volumes = new ArrayList<>();
        char device = 'f';
        for (String label : spec.targetLabels(id)) {
            PoolSpec.VolumeSpec vs = spec.volumeSpec(id.type(), label);
            String volumeId = existing.get(label);
            if (volumeId == null) {
                Map<String, String> tags = new LinkedHashMap<>(roleTags);
                tags.put(Tags.TARGET, label);
                volumeId = aws.createVolume(az, vs.sizeGiB(), vs.type(), vs.iops(), vs.throughput(), vs.kmsKeyId(),
                        token(tokenSeed, fs, id.value(), label), tags);
            }
            volumes.add(new Volume(volumeId, "/dev/sd" + device++, label));
        }
        return new RoleResources(new RoleKey(spec.fileSystem(), id), az, network, volumes);
    }

    /** A client token (at most 64 characters) unique to the stack and the resource. */
    static String token(String seed, String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(seed.getBytes(StandardCharsets.UTF_8));
            for (String p : parts) {
                sha.update((byte) 0);
                sha.update(p.getBytes(StandardCharsets.UTF_8));
            }
            return "lustre-ha-" + HexFormat.of().formatHex(sha.digest()).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
