package dev.lustreha.sim;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleType;
import java.util.List;

/**
 * A file system to run on the local cloud: one MGS, {@code mds} MDS roles, {@code oss} OSS roles
 * with {@code volumesPerOss} OSTs each, in one AZ, plus {@code standbys} spare OSS servers.
 */
public record FileSystemSpec(FileSystemName name, String az, int mds, int oss, int volumesPerOss, int standbys) {

    public FileSystemSpec {
        if (mds < 1 || oss < 1 || volumesPerOss < 1 || volumesPerOss > 11 || standbys < 0) {
            throw new IllegalArgumentException("a file system needs mds >= 1, oss >= 1, 1 <= volumesPerOss <= 11, "
                    + "standbys >= 0");
        }
    }

    /** mgs, mds01..., oss01... */
    public List<RoleId> roles() {
        return RoleId.of(mds, oss);
    }

    /** The Auto Scaling group of a role type: the name template.yaml gives it. */
    public String groupOf(RoleType type) {
        return name.value() + "-" + type.prefix();
    }

    /** How many instances a role type's group keeps. */
    public int capacityOf(RoleType type) {
        return switch (type) {
            case MGS -> 1;
            case MDS -> mds;
            case OSS -> oss + standbys;
        };
    }
}
