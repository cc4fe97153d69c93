package dev.lustreha.pools;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleType;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool a file system needs: one MGS, {@code mds} MDS and {@code oss} OSS roles in one subnet,
 * each with an ENI and its volumes (one MGT, one MDT each, {@code volumesPerOss} OSTs each).
 *
 * @param deleteDataOnDelete whether deleting the stack deletes the volumes and ENIs (default: kept)
 */
public record PoolSpec(FileSystemName fileSystem, String subnetId, List<String> securityGroups, int mds, int oss,
        int volumesPerOss, VolumeSpec mgt, VolumeSpec mdt, VolumeSpec ost, boolean deleteDataOnDelete) {

    /**
     * Size, type, performance and key of one kind of volume. IOPS apply to gp3, io1 and io2, throughput
     * to gp3 only: EC2 rejects them on other types, so they are dropped there. {@code kmsKeyId}: the
     * customer managed key to encrypt with (the stack's VolumeKmsKeyArn), or null for the AWS managed key.
     */
    public record VolumeSpec(int sizeGiB, String type, Integer iops, Integer throughput, String kmsKeyId) {
        public VolumeSpec {
            if (sizeGiB < 1) {
                throw new IllegalArgumentException("volume size must be at least 1 GiB");
            }
            iops = type.equals("gp3") || type.equals("io1") || type.equals("io2") ? iops : null;
            throughput = type.equals("gp3") ? throughput : null;
            kmsKeyId = kmsKeyId == null || kmsKeyId.isBlank() ? null : kmsKeyId;
        }

        /** Encrypted with the AWS managed key. */
        public VolumeSpec(int sizeGiB, String type, Integer iops, Integer throughput) {
            this(sizeGiB, type, iops, throughput, null);
        }
    }

    public PoolSpec {
        if (mds < 1 || oss < 1 || volumesPerOss < 1 || volumesPerOss > 11) {
            throw new IllegalArgumentException("a pool needs MdsCount >= 1, OssCount >= 1 and 1..11 VolumesPerOss");
        }
        securityGroups = List.copyOf(securityGroups);
    }

    public List<RoleId> roles() {
        return RoleId.of(mds, oss);
    }

    /** The Lustre target labels of a role's volumes, in device order (/dev/sdf, /dev/sdg, ...). */
    public List<String> targetLabels(RoleId id) {
        String fs = fileSystem.value();
        return switch (id.type()) {
            case MGS -> List.of("MGS");
            case MDS -> List.of(String.format("%s-MDT%04x", fs, id.index() - 1));
            case OSS -> {
                List<String> labels = new ArrayList<>();
                for (int v = 0; v < volumesPerOss; v++) {
                    // OST indexes are global and stable: role oss<n>'s volumes keep theirs when the pool grows.
                    labels.add(String.format("%s-OST%04x", fs, (id.index() - 1) * volumesPerOss + v));
                }
                yield labels;
            }
        };
    }

    public VolumeSpec volumeSpec(RoleType type) {
        return switch (type) {
            case MGS -> mgt;
            case MDS -> mdt;
            case OSS -> ost;
        };
    }
}
