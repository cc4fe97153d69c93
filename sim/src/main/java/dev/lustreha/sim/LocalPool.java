package dev.lustreha.sim;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.SimCloud;
import dev.lustreha.roles.RoleStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * Creates each role's ENI and volumes in the simulated EC2 (through the EC2 API, as a pool
 * provisioner does), registers them and creates the vacant roles. Target labels follow Lustre:
 * {@code <fsname>-MDT0000}, {@code <fsname>-OST0003}; the MGS has its own MGT.
 */
final class LocalPool {

    private LocalPool() {
    }

    static List<RoleResources> create(SimCloud cloud, RoleStore store, FileSystemSpec spec, String subnetId) {
        FileSystemName fs = spec.name();
        List<RoleResources> all = new ArrayList<>();
        int ost = 0;
        for (RoleId id : spec.roles()) {
            RoleKey key = new RoleKey(fs, id);
            var eni = cloud.ec2().createNetworkInterface(r -> r.subnetId(subnetId)
                    .description(fs + " " + id + " (Lustre NID)")
                    .clientToken(fs + "-" + id + "-eni")
                    .tagSpecifications(tags(ResourceType.NETWORK_INTERFACE, fs, id)))
                    .networkInterface();
            List<Volume> volumes = new ArrayList<>();
            int count = id.type() == RoleType.OSS ? spec.volumesPerOss() : 1;
            for (int v = 0; v < count; v++) {
                String label = switch (id.type()) {
                    case MGS -> "MGS";
                    case MDS -> String.format("%s-MDT%04x", fs, id.index() - 1);
                    case OSS -> String.format("%s-OST%04x", fs, ost++);
                };
                String volumeId = cloud.ec2().createVolume(r -> r.availabilityZone(spec.az())
                        .size(id.type() == RoleType.OSS ? 512 : 64).volumeType(VolumeType.GP3).encrypted(true)
                        .clientToken(fs + "-" + label)
                        .tagSpecifications(tags(ResourceType.VOLUME, fs, id))).volumeId();
                volumes.add(new Volume(volumeId, "/dev/sd" + (char) ('f' + v), label));
            }
            RoleResources resources = new RoleResources(key, spec.az(),
                    new NetworkIdentity(eni.networkInterfaceId(), eni.privateIpAddress()), volumes);
            store.registerResources(resources);
            store.createIfAbsent(Role.vacant(key, spec.az(), cloud.clock().now()));
            all.add(resources);
        }
        // New volumes are "creating" for a few seconds.
        cloud.clock().advance(Duration.ofSeconds(30));
        return all;
    }

    private static TagSpecification tags(ResourceType type, FileSystemName fs, RoleId id) {
        return TagSpecification.builder().resourceType(type).tags(
                Tag.builder().key(Tags.FILE_SYSTEM).value(fs.value()).build(),
                Tag.builder().key(Tags.ROLE).value(id.value()).build()).build();
    }
}
