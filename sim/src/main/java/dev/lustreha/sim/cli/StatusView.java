package dev.lustreha.sim.cli;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import dev.lustreha.history.HandoverRecord;
import dev.lustreha.pools.PoolSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What {@code status} prints, from what the tables hold: every role (type, AZ, NID, owner, state,
 * epoch, volumes), each role's last handover, and the client mount command. Pure: the same input
 * always gives the same text.
 */
final class StatusView {

    /** Longer reasons are cut: the History table keeps them whole. */
    private static final int REASON_WIDTH = 80;

    /**
     * The last handover of each role, as far as it is known.
     *
     * @param latest each role's newest record; a role without one has none recorded
     * @param unknownBecause why nothing is known (no history table given); null when it is
     */
    record Handovers(Map<RoleId, HandoverRecord> latest, String unknownBecause) {

        static Handovers of(Map<RoleId, HandoverRecord> latest) {
            return new Handovers(Map.copyOf(latest), null);
        }

        static Handovers unknown(String because) {
            return new Handovers(Map.of(), because);
        }
    }

    private StatusView() {
    }

    /**
     * @param where where the roles were read, e.g. "tables A, B and C in us-east-1"
     * @param now when they were read: handovers are dated relative to it
     */
    static String render(FileSystemName fs, String where, Instant now, List<Role> roles, List<RoleResources> resources,
            Handovers handovers) {
        Map<RoleId, Role> byId = roles.stream().collect(Collectors.toMap(Role::id, Function.identity()));
        Map<RoleId, RoleResources> pool = resources.stream()
                .collect(Collectors.toMap(r -> r.role().id(), Function.identity()));
        TreeSet<RoleId> ids = new TreeSet<>(byId.keySet());
        ids.addAll(pool.keySet());

        StringBuilder s = new StringBuilder();
        s.append("File system ").append(fs).append(", read from ").append(where).append(" at ").append(time(now))
                .append(":\n").append(summary(ids, byId)).append("\n\n");
        s.append("""
                Each role is one server's job: the MGS tells clients where everything is, an MDS keeps file
                names and directories, an OSS keeps file contents. A role keeps its network address (its NID)
                and its disks (EBS volumes, each holding one Lustre target) whichever server owns it; the
                epoch counts the times a server claimed it.

                """);
        s.append(roleTable(ids, byId, pool)).append('\n');
        s.append(healthLines(ids, byId, now));
        s.append(handoverTable(ids, handovers, now)).append('\n');
        RoleResources mgs = mgsOf(pool);
        if (mgs == null) {
            s.append("No MGS is registered in the resources table yet, so there is no mount command.\n");
        } else {
            s.append("A Lustre client mounts the file system through the MGS's NID, which moves with the role:\n");
            s.append("  mount -t lustre ").append(nid(mgs)).append(":/").append(fs).append(" /mnt/").append(fs)
                    .append('\n');
        }
        return s.toString();
    }

    private static String summary(TreeSet<RoleId> ids, Map<RoleId, Role> byId) {
        List<String> notServing = new ArrayList<>();
        for (RoleId id : ids) {
            Role r = byId.get(id);
            if (r == null) {
                notServing.add(id + " (resources registered, no role item)");
            } else if (r.state() != RoleState.SERVING) {
                notServing.add(id + " (" + r.state() + r.owner().map(o -> ", owner " + o).orElse("") + ")");
            }
        }
        String count = Format.count(ids.size(), "role");
        return notServing.isEmpty() ? "  " + count + ", all SERVING."
                : "  " + count + ", " + (ids.size() - notServing.size()) + " SERVING; not serving: "
                        + String.join(", ", notServing) + ".";
    }

    private static String roleTable(TreeSet<RoleId> ids, Map<RoleId, Role> byId, Map<RoleId, RoleResources> pool) {
        List<List<String>> rows = new ArrayList<>();
        for (RoleId id : ids) {
            Optional<Role> role = Optional.ofNullable(byId.get(id));
            Optional<RoleResources> res = Optional.ofNullable(pool.get(id));
            String az = role.map(Role::availabilityZone).or(() -> res.map(RoleResources::availabilityZone)).orElseThrow();
            List<String> head = List.of(id.value(), id.type().name(), az, res.map(StatusView::nid).orElse("-"),
                    role.flatMap(Role::owner).orElse("-"), role.map(r -> r.state().name()).orElse("-"),
                    role.map(r -> Long.toString(r.epoch())).orElse("-"));
            List<Volume> volumes = res.map(RoleResources::volumes).orElse(List.of());
            if (volumes.isEmpty()) {
                rows.add(concat(head, List.of("-", "-", "-")));
            }
            for (int i = 0; i < volumes.size(); i++) {
                Volume v = volumes.get(i);
                rows.add(concat(i == 0 ? head : List.of("", "", "", "", "", "", ""),
                        List.of(v.volumeId(), v.device(), v.targetLabel())));
            }
        }
        return Format.table(List.of(Format.Column.left("role", 6), Format.Column.left("type", 4),
                Format.Column.left("AZ", 10), Format.Column.left("NID", 13), Format.Column.left("server (owner)", 19),
                Format.Column.left("state", 9), Format.Column.right("epoch", 5), Format.Column.left("volume", 21),
                Format.Column.left("device", 8), Format.Column.left("target", 0)), rows);
    }

    /**
     * The roles moved on health signals (their server reported unhealthy or fell silent), and those
     * held for a person after too many such moves (flap damping); nothing when there are none.
     */
    private static String healthLines(TreeSet<RoleId> ids, Map<RoleId, Role> byId, Instant now) {
        List<String> lines = new ArrayList<>();
        for (RoleId id : ids) {
            Role r = byId.get(id);
            if (r == null || (r.health().failovers().isEmpty() && r.health().hold().isEmpty())) {
                continue;
            }
            List<Instant> moves = r.health().failovers();
            String moved = moves.isEmpty() ? "" : "moved " + Format.count(moves.size(), "time")
                    + " on health signals, last " + ago(Duration.between(moves.get(moves.size() - 1), now));
            lines.add(r.health().hold()
                    .map(h -> "  " + id + ": HELD FOR A PERSON, not moved again automatically: " + h
                            + (moved.isEmpty() ? "" : " (" + moved + ")"))
                    .orElse("  " + id + ": " + moved));
        }
        if (lines.isEmpty()) {
            return "";
        }
        return "Health (a server that reports unhealthy, or stops reporting, is fenced and its role moved):\n"
                + String.join("\n", lines) + "\n\n";
    }

    private static String handoverTable(TreeSet<RoleId> ids, Handovers handovers, Instant now) {
        if (handovers.unknownBecause() != null) {
            return "Last handover of each role: unknown (" + handovers.unknownBecause() + ").\n";
        }
        List<List<String>> rows = new ArrayList<>();
        for (RoleId id : ids) {
            HandoverRecord h = handovers.latest().get(id);
            if (h == null) {
                rows.add(List.of(id.value(), "(none recorded)"));
                continue;
            }
            rows.add(List.of(id.value(), h.fromInstance() == null ? "(first claim)" : h.fromInstance(),
                    h.toInstance(), Long.toString(h.epoch()), h.outcome(), time(h.completedAt()) + " (" + ago(Duration.between(h.completedAt(), now)) + ")", n(h.totalSeconds()), n(h.fenceSeconds()),
                    n(h.detachSeconds()), n(h.attachSeconds()), reason(h.reason())));
        }
        return """
                Last handover of each role: a server took it over (first claim: the role's first server).
                In seconds: fence = until no other server could still use the role's disks (the old one is
                confirmed stopped); detach, attach = moving the disks and the address; total = from the new
                server's request until the role served.
                """ + Format.table(List.of(Format.Column.left("role", 6), Format.Column.left("from", 19),
                Format.Column.left("to", 19), Format.Column.right("epoch", 5), Format.Column.left("outcome", 7),
                Format.Column.left("finished", 20), Format.Column.right("total", 5),
                Format.Column.right("fence", 5), Format.Column.right("detach", 6), Format.Column.right("attach", 6),
                Format.Column.left("reason", 0)), rows);
    }

    /** The resources of the role holding the MGT, which serves the MGS: mgs, or mds01 when co-located. */
    static RoleResources mgsOf(Map<RoleId, RoleResources> pool) {
        return pool.values().stream()
                .filter(r -> r.volumes().stream().anyMatch(v -> PoolSpec.MGT_LABEL.equals(v.targetLabel())))
                .findFirst().orElse(null);
    }

    static String nid(RoleResources r) {
        return r.network().privateIp() + "@tcp";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** To the second, UTC, ISO 8601. */
    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** "42 s ago", "5 min ago", "3 h ago", "12 d ago". */
    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s ago";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 2 * 86400) {
            return s / 3600 + " h ago";
        }
        return s / 86400 + " d ago";
    }

    private static String n(Double seconds) {
        return seconds == null ? "-" : String.format(Locale.ROOT, "%.1f", seconds);
    }

    private static String reason(String reason) {
        if (reason == null) {
            return "";
        }
        String oneLine = reason.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= REASON_WIDTH ? oneLine : oneLine.substring(0, REASON_WIDTH - 3) + "...";
    }
}
