package dev.lustreha.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A role's name within its file system: {@code mgs}, {@code mds01}..., {@code oss01}... Ordered by
 * type (start order) then index, which is also the deterministic order claims prefer.
 */
public record RoleId(RoleType type, int index) implements Comparable<RoleId> {

    private static final Pattern FORMAT = Pattern.compile("(mgs)|(mds|oss)(\\d{2,4})");
    private static final Comparator<RoleId> ORDER =
            Comparator.comparing(RoleId::type).thenComparingInt(RoleId::index);

    public RoleId {
        if (type == null) {
            throw new IllegalArgumentException("role type is required");
        }
        if (index < 1 || index > 9999) {
            throw new IllegalArgumentException("role index must be 1..9999, not " + index);
        }
        if (type == RoleType.MGS && index != 1) {
            throw new IllegalArgumentException("a file system has one MGS role, not mgs" + index);
        }
    }

    /** The roles of a file system with {@code mds} MDS and {@code oss} OSS roles: mgs, mds01..., oss01... */
    public static List<RoleId> of(int mds, int oss) {
        return of(mds, oss, false);
    }

    /**
     * The roles of a file system; {@code mgsOnMds}: no {@code mgs} role, the MGT is one of
     * {@code mds01}'s volumes (the co-located layout, docs/layouts.md).
     */
    public static List<RoleId> of(int mds, int oss, boolean mgsOnMds) {
        List<RoleId> ids = new ArrayList<>();
        if (!mgsOnMds) {
            ids.add(new RoleId(RoleType.MGS, 1));
        }
        for (int i = 1; i <= mds; i++) {
            ids.add(new RoleId(RoleType.MDS, i));
        }
        for (int i = 1; i <= oss; i++) {
            ids.add(new RoleId(RoleType.OSS, i));
        }
        return List.copyOf(ids);
    }

    public static RoleId parse(String value) {
        Matcher m = FORMAT.matcher(value == null ? "" : value);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a role id: '" + value + "' (expected mgs, mdsNN or ossNN)");
        }
        if (m.group(1) != null) {
            return new RoleId(RoleType.MGS, 1);
        }
        return new RoleId(RoleType.ofPrefix(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** The role that serves the MGS: {@code mgs}, or {@code mds01} when the MGS shares its server. */
    public static RoleId mgsRole(boolean mgsOnMds) {
        return mgsOnMds ? new RoleId(RoleType.MDS, 1) : new RoleId(RoleType.MGS, 1);
    }

    public String value() {
        return type == RoleType.MGS ? type.prefix() : String.format("%s%02d", type.prefix(), index);
    }

    @Override
    public int compareTo(RoleId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return value();
    }
}
