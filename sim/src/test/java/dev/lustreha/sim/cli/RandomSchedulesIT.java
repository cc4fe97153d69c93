package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The random fault schedules CI runs: the first {@link #SCHEDULES} seeds, each on the whole local
 * cloud with the real state machine definitions, none may break an invariant. And the properties
 * the random runs stand on: a seed gives the same schedule and the same run, a schedule written
 * as a scenario file reads back to itself.
 */
class RandomSchedulesIT {

    static final int SCHEDULES = 300;

    @Test
    void noScheduleBreaksAnInvariant(@TempDir Path failures) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        RandomSchedules.Summary s = RandomSchedules.run(SCHEDULES, 1, Runtime.getRuntime().availableProcessors(),
                failures, out);
        System.out.printf("random schedules: %d run, %d failing, %.1f s wall, %.0f s virtual%n  drawn: %s%n  struck: %s%n",
                s.runs(), s.failures().size(), s.wallSeconds(), s.virtualSeconds(), s.faultKinds(), s.struck());
        assertEquals(SCHEDULES, s.runs());
        assertEquals(List.of(), s.failures().stream().map(o -> "seed " + o.scenario().seed() + ": " + o.invariant() + " "
                + o.detail()).collect(Collectors.toList()), text.toString(StandardCharsets.UTF_8));
        // The schedules reach into running handovers: faults tied to steps did strike.
        assertTrue(s.struck().getOrDefault("lose-response", 0) > 10, "lost responses struck: " + s.struck());
        assertTrue(s.struck().getOrDefault("recover", 0) > 0, "recoveries struck: " + s.struck());
        assertTrue(s.struck().getOrDefault("garbage-events", 0) > 0, "garbage events sent: " + s.struck());
        // Issue 20: the health faults are drawn and strike too (I8 and the fenced moves they cause).
        int health = HEALTH_KINDS.stream().mapToInt(k -> s.struck().getOrDefault(k, 0)).sum();
        System.out.printf("  health faults struck: %d (%s)%n", health, HEALTH_KINDS);
        for (String kind : HEALTH_KINDS) {
            assertTrue(s.struck().getOrDefault(kind, 0) > 0, kind + " struck: " + s.struck());
        }
    }

    private static final List<String> HEALTH_KINDS = List.of("lustre-unhealthy", "target-readonly", "lnet-down",
            "agent-silent");

    @Test
    void aSeedReplaysToTheSameRun() {
        // The first schedule whose fault tied to a step strikes: the replay covers a handover struck mid-way.
        RandomSchedules.Outcome first = null;
        for (long seed = 1; first == null; seed++) {
            RandomSchedules.Outcome o = RandomSchedules.runOne(RandomSchedules.generate(seed));
            if (o.report().faults().stream().anyMatch(f -> f.problem() == null
                    && o.scenario().faults().stream().anyMatch(g -> g.step() != null && g.kind().wire.equals(f.kind())))) {
                first = o;
            }
        }
        Scenario sc = first.scenario();
        assertEquals(sc, RandomSchedules.generate(sc.seed()));
        RandomSchedules.Outcome again = RandomSchedules.runOne(sc);
        assertTrue(first.ok(), first.detail());
        assertEquals(first.report().apiCalls(), again.report().apiCalls());
        assertEquals(first.report().handovers(), again.report().handovers());
        assertEquals(first.report().virtualSeconds(), again.report().virtualSeconds());
        assertEquals(first.report().faults(), again.report().faults());
        assertNotEquals(first.report().apiCalls(),
                RandomSchedules.runOne(RandomSchedules.generate(sc.seed() + 1)).report().apiCalls());
    }

    @Test
    void aScheduleWrittenAsAScenarioFileReadsBack(@TempDir Path dir) throws Exception {
        for (long seed = 1; seed <= 50; seed++) {
            Scenario sc = RandomSchedules.generate(seed);
            Path file = dir.resolve("s.json");
            Files.writeString(file, sc.toJson());
            assertEquals(sc, Scenario.parse(Files.readString(file)), "seed " + seed);
        }
    }

    @Test
    void shrinkingKeepsTheInvariantAndDropsWhatIsNotNeeded() {
        // A runner that fails (I1) exactly while the schedule still holds a terminate of oss01: the
        // shrunk schedule keeps that fault alone, on the smallest file system the roles allow.
        Scenario big = new Scenario("s", 9, Scenario.LatencyProfile.AWS,
                new Scenario.FileSystem("rnd", "us-east-1a", 1, 3, 3, 1),
                List.of(new Scenario.Fault(10, Scenario.Kind.THROTTLE, null, 20),
                        new Scenario.Fault(20, Scenario.Kind.TERMINATE, "oss01", 0),
                        new Scenario.Fault(30, Scenario.Kind.HANG, "mgs", 0)),
                new Scenario.Expect(600));
        java.util.function.Function<Scenario, RandomSchedules.Outcome> runner = sc -> {
            boolean fails = sc.faults().stream().anyMatch(f -> f.kind() == Scenario.Kind.TERMINATE);
            Report r = new Report(sc.name(), !fails, fails ? List.of(new Report.Violation("I1", "x", null)) : List.of(),
                    List.of(), List.of(), java.util.Map.of(), 0, 0, sc.seed(), 1, List.of(), List.of(), null, List.of(),
                    null);
            return new RandomSchedules.Outcome(sc, r, null);
        };
        RandomSchedules.Outcome shrunk = RandomSchedules.shrink(runner.apply(big), runner);
        assertEquals(List.of(new Scenario.Fault(20, Scenario.Kind.TERMINATE, "oss01", 0)), shrunk.scenario().faults());
        assertEquals(new Scenario.FileSystem("rnd", "us-east-1a", 1, 1, 1, 0), shrunk.scenario().fileSystem());
        assertFalse(shrunk.ok());
    }

    /** A failing schedule is written as a scenario file with the page of its (shrunk) run beside it. */
    @Test
    void aFailingScheduleGetsItsPageBesideItsScenarioFile(@TempDir Path failures) throws Exception {
        java.util.function.Function<Scenario, RandomSchedules.Outcome> runner = sc -> new RandomSchedules.Outcome(sc,
                new Report(sc.name(), false, List.of(new Report.Violation("I1", "oss01's resources held by two", 12.0)),
                        List.of(new Report.RoleRow("oss01", null, "ORPHANED", 2)), List.of(), java.util.Map.of(), 30, 1,
                        sc.seed(), 1, List.of(), List.of(), 5.0, List.of(), null), null);
        RandomSchedules.Summary s = RandomSchedules.run(1, 41, 1, failures, new PrintStream(new ByteArrayOutputStream()),
                runner);
        assertEquals(1, s.failures().size());
        assertTrue(Files.exists(failures.resolve("random-41.json")));
        String page = Files.readString(failures.resolve("random-41.html"));
        assertTrue(page.contains("<code id=\"replay\">./lustre-ha simulate " + failures.resolve("random-41.json")
                + "</code>"), page);
        assertTrue(page.contains("<g class=\"violation\" data-invariant=\"I1\">"));
    }
}
