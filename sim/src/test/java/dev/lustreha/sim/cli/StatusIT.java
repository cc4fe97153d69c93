package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import dev.lustreha.history.HandoverRecord;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.LocalCloud;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code status} on the local cloud: a first boot, an OSS owner terminated and replaced, then the
 * command's account code path (the production DynamoRoleStore and DynamoHandoverHistory) pointed at
 * the local cloud's DynamoDB Local, its output checked against the tables; and {@code status --local}
 * as a user runs it.
 */
class StatusIT {

    private static final Duration SETTLE = Duration.ofMinutes(20);
    private static final FileSystemName FS = new FileSystemName("scratch");
    private static final StatusCommand.Tables TABLES =
            new StatusCommand.Tables("RolesTable", "ResourcesTable", "HistoryTable");

    private static LocalCloud cloud;
    private static String terminated;

    /** What a status command printed, and its exit code. */
    private record Printed(int code, String out, String err) {
        String printed() {
            return "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    static void bootThenReplaceAnOssServer() {
        cloud = LocalCloud.start(new FileSystemSpec(FS, "us-east-1a", 1, 4, 2, 0), LocalCloud.Options.fast(61));
        assertTrue(cloud.awaitSettled(SETTLE), () -> "not every role came to serve: " + cloud.roles());
        terminated = cloud.role("oss02").owner().orElseThrow();
        cloud.sim().ec2().terminateInstances(r -> r.instanceIds(terminated));
        assertTrue(cloud.await(() -> cloud.role("oss02").epoch() == 2 && cloud.allServing()
                && cloud.executions().idle(), SETTLE),
                () -> "oss02 was not served again: " + cloud.roles());
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    private static Printed status(StatusCommand.Tables tables, FileSystemName fs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StatusCommand.fromTables(cloud.dynamo(), tables, "us-east-1", fs, cloud.sim().clock().now(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Printed(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String nid(RoleResources r) {
        return Pattern.quote(r.network().privateIp() + "@tcp");
    }

    @Test
    void everyRoleAsTheTablesHoldItTheReplacedRolesHandoverAndTheMountCommand() {
        Printed r = status(TABLES, FS);
        assertEquals(0, r.code(), r.printed());
        assertEquals("", r.err(), r.printed());
        String out = r.out();
        assertTrue(out.startsWith("File system scratch, read from tables RolesTable, ResourcesTable and HistoryTable "
                + "in us-east-1 at "), r.printed());
        assertTrue(out.contains("\n  6 roles, all SERVING.\n"), r.printed());

        List<Role> roles = cloud.roles();
        assertEquals(6, roles.size());
        for (Role role : roles) {
            RoleResources res = cloud.resources(role.id().value());
            List<Volume> volumes = res.volumes();
            StringBuilder row = new StringBuilder("(?m)^  " + role.id() + " +" + role.type() + " +us-east-1a +" + nid(res)
                    + " +" + role.owner().orElseThrow() + " +" + role.state() + " +" + role.epoch() + " +"
                    + volumes.get(0).volumeId() + " +" + Pattern.quote(volumes.get(0).device()) + " +"
                    + volumes.get(0).targetLabel() + "$");
            for (Volume v : volumes.subList(1, volumes.size())) {
                row.append("\n^ +").append(v.volumeId()).append(" +").append(Pattern.quote(v.device())).append(" +")
                        .append(v.targetLabel()).append('$');
            }
            assertTrue(Pattern.compile(row.toString()).matcher(out).find(), "no row " + row + r.printed());
            assertEquals(RoleState.SERVING, role.state());
        }

        Role oss02 = cloud.role("oss02");
        String replacement = oss02.owner().orElseThrow();
        assertNotEquals(terminated, replacement);
        Matcher m = Pattern.compile("(?m)^  oss02 +" + terminated + " +" + replacement
                + " +2 +SERVING +\\S+Z \\(\\d+ (s|min) ago\\) +(\\d+\\.\\d) +(\\d+\\.\\d) +(\\d+\\.\\d) +(\\d+\\.\\d)$")
                .matcher(out);
        assertTrue(m.find(), "no last handover of oss02 from " + terminated + " to " + replacement + r.printed());
        double total = Double.parseDouble(m.group(2));
        double fence = Double.parseDouble(m.group(3));
        assertTrue(total > 0 && fence > 0 && total >= fence, r.printed());
        HandoverRecord record = cloud.history().latest(FS, RoleId.parse("oss02")).orElseThrow();
        assertEquals(Math.round(record.totalSeconds() * 10) / 10.0, total, 1e-9, "printed to one decimal");
        assertEquals(oss02.lastExecution().orElseThrow(), record.execution());
        for (String first : List.of("mgs", "mds01", "oss01", "oss03", "oss04")) {
            Role role = cloud.role(first);
            assertTrue(Pattern.compile("(?m)^  " + first + " +\\(first claim\\) +" + role.owner().orElseThrow()
                    + " +1 +SERVING ").matcher(out).find(), first + r.printed());
        }
        assertTrue(out.endsWith("\n  mount -t lustre 10.0.1.10@tcp:/scratch /mnt/scratch\n"), r.printed());
        assertEquals("10.0.1.10", cloud.resources("mgs").network().privateIp());
    }

    @Test
    void withoutAHistoryTableTheLastHandoversAreUnknown() {
        Printed r = status(new StatusCommand.Tables("RolesTable", "ResourcesTable", null), FS);
        assertEquals(0, r.code(), r.printed());
        assertTrue(r.out().contains("\nLast handover of each role: unknown (no --history-table given; the stack's "
                + "HistoryTableName output names it).\n"), r.printed());
        assertTrue(r.out().contains("mount -t lustre 10.0.1.10@tcp:/scratch /mnt/scratch"), r.printed());
    }

    @Test
    void aMissingTableOrFileSystemIsOneLineOnStandardErrorAndExitOne() {
        for (StatusCommand.Tables tables : List.of(new StatusCommand.Tables("NoSuchRoles", "ResourcesTable", null),
                new StatusCommand.Tables("RolesTable", "NoSuchRoles", null),
                new StatusCommand.Tables("RolesTable", "ResourcesTable", "NoSuchRoles"))) {
            Printed r = status(tables, FS);
            assertEquals(1, r.code(), r.printed());
            assertEquals("", r.out(), r.printed());
            assertEquals("error: table NoSuchRoles not found in us-east-1: give the stack's RolesTableName, "
                    + "ResourcesTableName and HistoryTableName outputs (and --region)\n", r.err(), r.printed());
        }
        Printed r = status(TABLES, new FileSystemName("other"));
        assertEquals(1, r.code(), r.printed());
        assertEquals("error: no roles of file system 'other' in table RolesTable (us-east-1): is --file-system the "
                + "stack's FileSystemName?\n", r.err(), r.printed());
    }

    @Test
    void jsonIsTheTablesAsOneDocument() throws Exception {
        String text = StatusCommand.read(cloud.dynamo(), TABLES, "us-east-1", FS, cloud.sim().clock().now(), true);
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        assertEquals(6, doc.path("roleCount").asInt());
        assertTrue(doc.path("allServing").asBoolean(), text);
        assertEquals(6, doc.path("roles").size());
        for (com.fasterxml.jackson.databind.JsonNode row : doc.path("roles")) {
            Role role = cloud.role(row.path("role").asText());
            assertEquals(role.owner().orElseThrow(), row.path("owner").asText());
            assertEquals(role.epoch(), row.path("epoch").asLong());
            assertEquals(role.health().mountedEpoch().orElseThrow(), row.path("mountedEpoch").asLong(),
                    "the bootstrap reported its mount at the role's epoch");
            assertEquals(cloud.resources(role.id().value()).volumes().size(), row.path("volumes").size());
        }
        com.fasterxml.jackson.databind.JsonNode oss02 = doc.path("roles").get(3).path("lastHandover");
        assertEquals(terminated, oss02.path("from").asText(), text);
        assertEquals(cloud.role("oss02").owner().orElseThrow(), oss02.path("to").asText());
        assertEquals(cloud.history().latest(FS, RoleId.parse("oss02")).orElseThrow().totalSeconds(),
                oss02.path("totalSeconds").asDouble(), 1e-9);
        assertEquals("mount -t lustre 10.0.1.10@tcp:/scratch /mnt/scratch", doc.path("mountCommand").asText());
    }

    @Test
    void watchShowsTheStatusAgainEveryIntervalOnAClearedScreen() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<java.time.Instant> reads = new java.util.ArrayList<>();
        long started = System.nanoTime();
        int code = StatusCommand.watch(new StatusCommand.View(false, true, 3, Duration.ofMillis(200)),
                () -> cloud.sim().clock().now(), now -> {
                    reads.add(now);
                    return StatusCommand.read(cloud.dynamo(), TABLES, "us-east-1", FS, now, false);
                }, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                        StandardCharsets.UTF_8));
        double seconds = (System.nanoTime() - started) / 1e9;
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed + err);
        assertEquals(3, reads.size(), "the tables are read again for every render");
        assertEquals(3, printed.split("\u001b\\[H\u001b\\[2J", -1).length - 1, printed);
        for (int i = 1; i <= 3; i++) {
            assertTrue(printed.contains("lustre-ha status --watch: render " + i + ", every 0 s; Ctrl-C stops\n"),
                    printed);
        }
        assertEquals(3, printed.split("\n  6 roles, all SERVING.\n", -1).length - 1, printed);
        assertTrue(seconds >= 0.4, "two intervals of 0.2 s between three renders: " + seconds);
    }

    @Test
    void watchWithJsonWritesOneDocumentPerRenderAndAFailedReadEndsIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] reads = {0};
        int code = StatusCommand.watch(new StatusCommand.View(true, true, 5, Duration.ZERO),
                () -> cloud.sim().clock().now(), now -> {
                    if (++reads[0] == 3) {
                        throw new StatusCommand.Failure("table RolesTable went away");
                    }
                    return StatusCommand.read(cloud.dynamo(), TABLES, "us-east-1", FS, now, true);
                }, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                        StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertEquals("error: table RolesTable went away\n", err.toString(StandardCharsets.UTF_8));
        var docs = new com.fasterxml.jackson.databind.ObjectMapper().readerFor(
                com.fasterxml.jackson.databind.JsonNode.class).<com.fasterxml.jackson.databind.JsonNode>readValues(
                        out.toString(StandardCharsets.UTF_8)).readAll();
        assertEquals(2, docs.size(), "two documents, no screen codes between them");
        assertEquals("lustre-ha.status/1", docs.get(1).path("schema").asText());
    }

    @Test
    void statusLocalBootsTerminatesTheFaultsServerAndShowsTheHandover() {
        Cli r = Cli.run("status", "--local", "--fault", "terminate:oss03");
        assertEquals(0, r.code(), r.printed());
        assertEquals("", r.err(), r.printed());
        String out = r.out();
        assertTrue(out.contains("] first boot done: every role serving\n"), r.printed());
        Matcher fault = Pattern.compile("] fault: terminate oss03 \\(its server (i-\\w+)\\)\n").matcher(out);
        assertTrue(fault.find(), r.printed());
        assertTrue(out.contains("] every role serving again\n"), r.printed());
        assertTrue(out.contains("read from tables RolesTable, ResourcesTable and HistoryTable in the local cloud's "
                + "DynamoDB Local at "), r.printed());
        assertTrue(Pattern.compile("(?m)^  oss03 +OSS +us-east-1a +10\\.0\\.1\\.14@tcp +i-\\w+ +SERVING +2 ")
                .matcher(out).find(), r.printed());
        assertTrue(Pattern.compile("(?m)^  oss03 +" + fault.group(1) + " +i-\\w+ +2 +SERVING ").matcher(out).find(),
                r.printed());
        assertTrue(out.endsWith("\n  mount -t lustre 10.0.1.10@tcp:/scratch /mnt/scratch\n"), r.printed());
    }
}
