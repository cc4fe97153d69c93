package dev.lustreha.domain;

import java.util.Locale;

/**
 * The kinds of server role. Declaration order is start order: a Lustre file system mounts its MGT,
 * then its MDTs, then its OSTs.
 */
public enum RoleType {
    MGS,
    MDS,
    OSS;

    /** The lower-case prefix of this type's role ids ({@code mgs}, {@code mds01}, {@code oss12}). */
    public String prefix() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The one role of this type a file system has, or -1 when it may have any number. */
    public int maxRoles() {
        return this == MGS ? 1 : -1;
    }

    public static RoleType ofPrefix(String prefix) {
        for (RoleType type : values()) {
            if (type.prefix().equals(prefix)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown role type '" + prefix + "' (expected mgs, mds or oss)");
    }
}
