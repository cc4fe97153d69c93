package dev.lustreha.sim;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleType;
import java.util.List;

/**
 * A file system to run on the local cloud: one MGS, {@code mds} MDS roles, {@code oss} OSS roles
 * with {@code volumesPerOss} OSTs each, in one AZ, plus {@code standbys} spare OSS servers. With
 * {@code mgsOnMds} (the template's MgsOnMds) there is no {@code mgs} role and no MGS group: the MGT
 * is one of {@code mds01}'s volumes.
 */
public record FileSystemSpec(FileSystemName name, String az, int mds, int oss, int volumesPerOss, int standbys,
        boolean mgsOnMds) {

    public FileSystemSpec {
        if (mds < 1 || oss < 1 || volumesPerOss < 1 || volumesPerOss > 11 || standbys < 0) {
            throw new IllegalArgumentException("a file system needs mds >= 1, oss >= 1, 1 <= volumesPerOss <= 11, "
                    + "standbys >= 0");
        }
    }

    /** A file system with its own MGS server. */
    public FileSystemSpec(FileSystemName name, String az, int mds, int oss, int volumesPerOss, int standbys) {
        this(name, az, mds, oss, volumesPerOss, standbys, false);
    }

    /** mgs (unless co-located), mds01..., oss01... */
    public List<RoleId> roles() {
        return RoleId.of(mds, oss, mgsOnMds);
    }

    /** The role whose NID clients mount: mgs, or mds01 when co-located. */
    public RoleId mgsRole() {
        return RoleId.mgsRole(mgsOnMds);
    }

    /** The Auto Scaling group of a role type: the name template.yaml gives it. */
    public String groupOf(RoleType type) {
        return name.value() + "-" + type.prefix();
    }

    /** How many instances a role type's group keeps; 0: the stack makes no such group. */
    public int capacityOf(RoleType type) {
        return switch (type) {
            case MGS -> mgsOnMds ? 0 : 1;
            case MDS -> mds;
            case OSS -> oss + standbys;
        };
    }
}
