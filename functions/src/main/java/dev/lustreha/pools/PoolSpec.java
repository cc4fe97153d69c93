package dev.lustreha.pools;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleType;
import dev.lustreha.health.HealthAlarmSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool a file system needs: one MGS, {@code mds} MDS and {@code oss} OSS roles in one subnet,
 * each with an ENI and its volumes (one MGT, one MDT each, {@code volumesPerOss} OSTs each).
 *
 * @param deleteDataOnDelete whether deleting the stack deletes the volumes and ENIs (default: kept)
 * @param health each role's health alarm (HealthAlarmDatapoints of HealthAlarmPeriods)
 * @param mgsOnMds the co-located layout (MgsOnMds): no {@code mgs} role; the MGT is {@code mds01}'s
 *     first volume, beside its MDT (docs/layouts.md)
 */
public record PoolSpec(FileSystemName fileSystem, String subnetId, List<String> securityGroups, int mds, int oss,
        int volumesPerOss, VolumeSpec mgt, VolumeSpec mdt, VolumeSpec ost, boolean deleteDataOnDelete,
        HealthAlarmSpec health, boolean mgsOnMds) {

    /** A pool with its own MGS role. */
    public PoolSpec(FileSystemName fileSystem, String subnetId, List<String> securityGroups, int mds, int oss,
            int volumesPerOss, VolumeSpec mgt, VolumeSpec mdt, VolumeSpec ost, boolean deleteDataOnDelete,
            HealthAlarmSpec health) {
        this(fileSystem, subnetId, securityGroups, mds, oss, volumesPerOss, mgt, mdt, ost, deleteDataOnDelete, health,
                false);
    }

    /** A pool whose roles get the default health alarm (3 of 3). */
    public PoolSpec(FileSystemName fileSystem, String subnetId, List<String> securityGroups, int mds, int oss,
            int volumesPerOss, VolumeSpec mgt, VolumeSpec mdt, VolumeSpec ost, boolean deleteDataOnDelete) {
        this(fileSystem, subnetId, securityGroups, mds, oss, volumesPerOss, mgt, mdt, ost, deleteDataOnDelete,
                HealthAlarmSpec.DEFAULT);
    }

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
        if (health == null) {
            throw new IllegalArgumentException("a pool needs its health alarm spec");
        }
    }

    public List<RoleId> roles() {
        return RoleId.of(mds, oss, mgsOnMds);
    }

    /** The role whose server runs the MGS, and whose NID clients mount. */
    public RoleId mgsRole() {
        return RoleId.mgsRole(mgsOnMds);
    }

    /**
     * The Lustre target labels of a role's volumes, in device order (/dev/sdf, /dev/sdg, ...). In the
     * co-located layout mds01 has two: the MGT first (/dev/sdf), then MDT0000.
     */
    public List<String> targetLabels(RoleId id) {
        String fs = fileSystem.value();
        return switch (id.type()) {
            case MGS -> List.of(MGT_LABEL);
            case MDS -> id.equals(mgsRole())
                    ? List.of(MGT_LABEL, String.format("%s-MDT%04x", fs, id.index() - 1))
                    : List.of(String.format("%s-MDT%04x", fs, id.index() - 1));
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

    /** The MGT's target label, the same in every layout. */
    public static final String MGT_LABEL = "MGS";

    /** Size, type and key of one target: the MGT's wherever it lives, else its role type's. */
    public VolumeSpec volumeSpec(RoleType type, String label) {
        return MGT_LABEL.equals(label) ? mgt : volumeSpec(type);
    }

    public VolumeSpec volumeSpec(RoleType type) {
        return switch (type) {
            case MGS -> mgt;
            case MDS -> mdt;
            case OSS -> ost;
        };
    }
}
