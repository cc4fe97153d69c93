package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import dev.lustreha.history.HandoverRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status text, pinned: fixed roles, resources and handover records in, exact text out. */
class StatusViewTest {

    static final FileSystemName FS = new FileSystemName("scratch");
    static final Instant NOW = Instant.parse("2026-11-21T10:30:00Z");
    private static final String AZ = "us-east-1a";

    private static Role role(String id, String owner, RoleState state, long epoch) {
        Instant t = Instant.parse("2026-11-21T09:00:00Z");
        return new Role(RoleKey.of("scratch", id), AZ, Optional.ofNullable(owner), Optional.empty(), epoch, state,
                false, t, t, Optional.of(t), Optional.empty(), Optional.empty());
    }

    private static RoleResources resources(String id, String ip, Volume... volumes) {
        return new RoleResources(RoleKey.of("scratch", id), AZ,
                new NetworkIdentity("eni-0a1b2c3d4e5f6000" + ip.charAt(ip.length() - 1), ip), List.of(volumes));
    }

    static HandoverRecord handover(String role, String from, String to, long epoch, String outcome,
            String completed, Double fence, Double detach, Double attach, Double total, String reason) {
        Instant done = Instant.parse(completed);
        return new HandoverRecord("scratch", role, "launch-" + to, from, to, epoch, outcome,
                done.minusSeconds(total.longValue()), done, fence, detach, attach, total, reason);
    }

    static final List<Role> ROLES = List.of(
            role("mgs", "i-0a00000000000000a", RoleState.SERVING, 1),
            role("oss01", "i-0a00000000000000c", RoleState.SERVING, 1),
            role("mds01", "i-0a00000000000000b", RoleState.SERVING, 2),
            role("oss02", "i-0a00000000000000e", RoleState.CLAIMED, 3));

    static final List<RoleResources> POOL = List.of(
            resources("mgs", "10.0.1.10", new Volume("vol-0a000000000000001", "/dev/sdf", "MGS")),
            resources("mds01", "10.0.1.11", new Volume("vol-0a000000000000002", "/dev/sdf", "scratch-MDT0000")),
            resources("oss01", "10.0.1.12", new Volume("vol-0a000000000000003", "/dev/sdf", "scratch-OST0000"),
                    new Volume("vol-0a000000000000004", "/dev/sdg", "scratch-OST0001")),
            resources("oss02", "10.0.1.13", new Volume("vol-0a000000000000005", "/dev/sdf", "scratch-OST0002"),
                    new Volume("vol-0a000000000000006", "/dev/sdg", "scratch-OST0003")));

    @Test
    void everyRoleItsLastHandoverAndTheMountCommand() {
        Map<RoleId, HandoverRecord> latest = Map.of(
                RoleId.parse("mgs"), handover("mgs", null, "i-0a00000000000000a", 1, "SERVING",
                        "2026-11-21T09:01:10.400Z", 0.0, 0.0, 10.2, 25.3, null),
                RoleId.parse("mds01"), handover("mds01", "i-0a000000000000001", "i-0a00000000000000b", 2, "SERVING",
                        "2026-11-21T10:29:18Z", 11.3, 5.7, 8.0, 25.5, null),
                RoleId.parse("oss02"), handover("oss02", "i-0a000000000000002", "i-0a00000000000000d", 2, "FAILED",
                        "2026-11-19T10:00:00Z", null, null, null, 600.0,
                        "dev.lustreha.errors.HandoverTimeoutException: the previous owner i-0a000000000000002\n"
                                + "was not confirmed stopped within 600 s; the claim is given back"));
        String text = StatusView.render(FS, "tables R, S and H in us-east-1", NOW, ROLES, POOL,
                StatusView.Handovers.of(latest));
        assertEquals("""
                File system scratch, read from tables R, S and H in us-east-1 at 2026-11-21T10:30:00Z:
                  4 roles, 3 SERVING; not serving: oss02 (CLAIMED, owner i-0a00000000000000e).

                Each role is one server's job: the MGS tells clients where everything is, an MDS keeps file
                names and directories, an OSS keeps file contents. A role keeps its network address (its NID)
                and its disks (EBS volumes, each holding one Lustre target) whichever server owns it; the
                epoch counts the times a server claimed it.

                  role    type  AZ          NID            server (owner)       state      epoch  volume                 device    target
                  mgs     MGS   us-east-1a  10.0.1.10@tcp  i-0a00000000000000a  SERVING        1  vol-0a000000000000001  /dev/sdf  MGS
                  mds01   MDS   us-east-1a  10.0.1.11@tcp  i-0a00000000000000b  SERVING        2  vol-0a000000000000002  /dev/sdf  scratch-MDT0000
                  oss01   OSS   us-east-1a  10.0.1.12@tcp  i-0a00000000000000c  SERVING        1  vol-0a000000000000003  /dev/sdf  scratch-OST0000
                                                                                                  vol-0a000000000000004  /dev/sdg  scratch-OST0001
                  oss02   OSS   us-east-1a  10.0.1.13@tcp  i-0a00000000000000e  CLAIMED        3  vol-0a000000000000005  /dev/sdf  scratch-OST0002
                                                                                                  vol-0a000000000000006  /dev/sdg  scratch-OST0003

                Last handover of each role: a server took it over (first claim: the role's first server).
                In seconds: fence = until no other server could still use the role's disks (the old one is
                confirmed stopped); detach, attach = moving the disks and the address; total = from the new
                server's request until the role served.
                  role    from                 to                   epoch  outcome  finished                         total  fence  detach  attach  reason
                  mgs     (first claim)        i-0a00000000000000a      1  SERVING  2026-11-21T09:01:10Z (1 h ago)    25.3    0.0     0.0    10.2
                  mds01   i-0a000000000000001  i-0a00000000000000b      2  SERVING  2026-11-21T10:29:18Z (42 s ago)   25.5   11.3     5.7     8.0
                  oss01   (none recorded)
                  oss02   i-0a000000000000002  i-0a00000000000000d      2  FAILED   2026-11-19T10:00:00Z (2 d ago)   600.0      -       -       -  dev.lustreha.errors.HandoverTimeoutException: the previous owner i-0a00000000...

                A Lustre client mounts the file system through the MGS's NID, which moves with the role:
                  mount -t lustre 10.0.1.10@tcp:/scratch /mnt/scratch
                """, text);
    }

    @Test
    void withoutTheHistoryTableTheLastHandoversAreUnknown() {
        String text = StatusView.render(FS, "tables R and S in eu-west-1", NOW,
                ROLES.stream().filter(r -> !r.id().value().equals("oss02")).toList(),
                POOL.stream().filter(r -> !r.role().id().value().equals("mgs")).toList(),
                StatusView.Handovers.unknown("no --history-table given"));
        assertEquals("""
                File system scratch, read from tables R and S in eu-west-1 at 2026-11-21T10:30:00Z:
                  4 roles, 3 SERVING; not serving: oss02 (resources registered, no role item).
                """, text.substring(0, text.indexOf("\n\n") + 1));
        String tail = text.substring(text.indexOf("  role "));
        assertEquals("""
                  role    type  AZ          NID            server (owner)       state      epoch  volume                 device    target
                  mgs     MGS   us-east-1a  -              i-0a00000000000000a  SERVING        1  -                      -         -
                  mds01   MDS   us-east-1a  10.0.1.11@tcp  i-0a00000000000000b  SERVING        2  vol-0a000000000000002  /dev/sdf  scratch-MDT0000
                  oss01   OSS   us-east-1a  10.0.1.12@tcp  i-0a00000000000000c  SERVING        1  vol-0a000000000000003  /dev/sdf  scratch-OST0000
                                                                                                  vol-0a000000000000004  /dev/sdg  scratch-OST0001
                  oss02   OSS   us-east-1a  10.0.1.13@tcp  -                    -              -  vol-0a000000000000005  /dev/sdf  scratch-OST0002
                                                                                                  vol-0a000000000000006  /dev/sdg  scratch-OST0003

                Last handover of each role: unknown (no --history-table given).

                No MGS is registered in the resources table yet, so there is no mount command.
                """, tail);
    }

    @Test
    void handoversAreDatedRelativeToWhenTheTablesWereRead() {
        assertEquals("0 s ago", StatusView.ago(Duration.ofSeconds(-3)));
        assertEquals("59 s ago", StatusView.ago(Duration.ofSeconds(59)));
        assertEquals("1 min ago", StatusView.ago(Duration.ofSeconds(60)));
        assertEquals("59 min ago", StatusView.ago(Duration.ofMinutes(59).plusSeconds(59)));
        assertEquals("47 h ago", StatusView.ago(Duration.ofHours(47)));
        assertEquals("2 d ago", StatusView.ago(Duration.ofHours(48)));
    }

    @Test
    void tablesWidenToTheirWidestCellAndNeverEndInSpaces() {
        assertEquals(List.of("  a       n  last", "  wide  123  x", "  -       1"),
                Format.tableLines(List.of(Format.Column.left("a", 2), Format.Column.right("n", 1),
                        Format.Column.left("last", 0)), List.of(List.of("wide", "123", "x"), List.of("-", "1"))));
    }
}
