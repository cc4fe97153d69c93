package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.local.Repository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code replay} of every file in {@code events/}: each gets the outcome its kind calls for, events
 * naming instances or groups the local cloud does not know are reported as such, and nothing that
 * was rejected, ignored or a no-op changed anything.
 */
class ReplayIT {

    /** Per file: the trigger's action, and how the workflow it started ended (null: none started). */
    private static final Map<String, List<String>> EXPECTED = Map.ofEntries(
            Map.entry("foreign-alarm.json", outcome("IGNORED", null)),
            Map.entry("foreign-asg-launch.json", outcome("IGNORED", null)),
            // The health trigger moves the role itself (ORPHANED, then the reconciler): no workflow of its own.
            Map.entry("health-alarm.json", outcome("ORPHANED", null)),
            Map.entry("health-alarm-ok.json", outcome("NOOP", null)),
            Map.entry("launch-lifecycle.json", outcome("STARTED", "handover GONE")),
            Map.entry("malformed-alarm-no-reason-data.json", outcome("REJECTED", null)),
            Map.entry("malformed-alarm-state.json", outcome("REJECTED", null)),
            Map.entry("malformed-field-types.json", outcome("REJECTED", null)),
            Map.entry("malformed-instance-id.json", outcome("REJECTED", null)),
            Map.entry("malformed-no-detail.json", outcome("REJECTED", null)),
            Map.entry("malformed-not-json.json", outcome("REJECTED", null)),
            Map.entry("malformed-state.json", outcome("REJECTED", null)),
            Map.entry("malformed-transition-mismatch.json", outcome("REJECTED", null)),
            Map.entry("state-change-running.json", outcome("NOOP", null)),
            Map.entry("state-change-stopped.json", outcome("NOOP", null)),
            Map.entry("state-change-terminated.json", outcome("NOOP", null)),
            Map.entry("terminate-lifecycle.json", outcome("STARTED", "release RELEASED")),
            Map.entry("warm-pool-launch.json", outcome("IGNORED", null)),
            Map.entry("warm-pool-return.json", outcome("IGNORED", null)));

    /** The one file whose outcome is a move: the alarm of oss01, raised after the local file system mounted it. */
    private static final String MOVES = "health-alarm.json";

    private static List<String> outcome(String trigger, String workflow) {
        List<String> o = new ArrayList<>();
        o.add(trigger);
        o.add(workflow);
        return o;
    }

    @Test
    void everyEventFileHasASensibleOutcomeAndChangesNothing() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(Repository.file("events"))) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        List<String> names = files.stream().map(f -> f.getFileName().toString()).toList();
        assertEquals(EXPECTED.keySet().stream().sorted().toList(), names,
                "every file in events/ needs an expected outcome here");
        List<ReplayCommand.Input> inputs = new ArrayList<>();
        for (Path f : files) {
            inputs.add(new ReplayCommand.Input(f, Files.readAllBytes(f)));
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ReplayCommand.Result result = ReplayCommand.run(inputs, "scratch", Map.of(), 100,
                new PrintStream(printed, true, StandardCharsets.UTF_8), System.nanoTime());
        String out = printed.toString(StandardCharsets.UTF_8);
        assertEquals(files.size(), result.outcomes().size());
        for (ReplayCommand.Outcome o : result.outcomes()) {
            List<String> expected = EXPECTED.get(o.file());
            assertEquals(expected.get(0), o.trigger(), o + out);
            assertEquals(expected.get(1), o.workflow(), o + out);
            if (o.file().equals(MOVES)) {
                continue;
            }
            assertEquals(List.of(), o.changes(), o + out);
            assertEquals(0, o.mutations(), o + out);
        }
        // The raised alarm reached the health trigger, which fenced oss01's server and moved the role
        // (the events' times are after the local cloud's mount: the window is about the serving epoch).
        ReplayCommand.Outcome alarm = result.outcomes().stream().filter(o -> o.file().equals(MOVES)).findFirst()
                .orElseThrow();
        assertTrue(alarm.reason().contains("oss01 orphaned under epoch 1 (health alarm:"), alarm + out);
        assertEquals(1, alarm.changes().size(), alarm + out);
        assertTrue(alarm.changes().get(0).matches("oss01 SERVING@1 i-\\w+ -> SERVING@2 i-\\w+"), alarm + out);
        assertTrue(alarm.mutations() > 0, alarm + out);
        assertTrue(out.contains("fence: force-stopping"), out);
        ReplayCommand.Outcome foreign = result.outcomes().stream().filter(o -> o.file().equals("foreign-asg-launch.json")).findFirst()
                .orElseThrow();
        assertTrue(foreign.unknown().contains("group web-frontend is not one of the local cloud's groups"), foreign.toString());
        ReplayCommand.Outcome launch = result.outcomes().stream().filter(o -> o.file().equals("launch-lifecycle.json"))
                .findFirst().orElseThrow();
        assertEquals(List.of("instance i-0a1b2c3d4e5f60001 is not one of the local cloud's servers"), launch.unknown());
        ReplayCommand.Outcome stopped = result.outcomes().stream().filter(o -> o.file().equals("state-change-stopped.json"))
                .findFirst().orElseThrow();
        assertEquals(List.of("instance i-0a1b2c3d4e5f60002 is not one of the local cloud's servers"), stopped.unknown());
        assertEquals(List.of(), result.violations(), out);
        assertTrue(result.ok(), out);
        assertTrue(out.contains("invariants: held"), out);
    }

    @Test
    void aMappedStoppedEventForALiveServerFencesAndMovesItsRole() throws IOException {
        Path file = Repository.file("events/state-change-stopped.json");
        Cli r = Cli.run("replay", "--map", "i-0a1b2c3d4e5f60002=oss02", file.toString());
        assertEquals(0, r.code(), r.printed());
        assertTrue(r.out().contains("trigger: ORPHANED: roles [oss02] orphaned; instance is stopped"), r.printed());
        assertTrue(r.out().contains("fence: force-stopping"), r.printed());
        assertTrue(r.out().matches("(?s).*state-change-stopped\\.json +ORPHANED +- +oss02 SERVING@1 i-\\w+ -> SERVING@2 i-\\w+.*"),
                r.printed());
    }

    @Test
    void anEventOfAnotherFileSystemIsReportedWithAHint() throws IOException {
        Path dir = Path.of("target", "replay-events");
        Files.createDirectories(dir);
        Path event = dir.resolve("prod-launch.json");
        Files.writeString(event, Files.readString(Repository.file("events/launch-lifecycle.json"))
                .replace("scratch-oss", "prod-oss"));
        Cli r = Cli.run("replay", event.toString());
        assertEquals(0, r.code(), r.printed());
        assertTrue(r.out().contains("note: group prod-oss is not one of the local cloud's groups (to replay events of "
                + "file system prod, add --file-system prod)"), r.printed());
        assertTrue(r.out().contains("trigger: IGNORED: group prod-oss is not one of this file system's"), r.printed());
    }
}
