package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scenario files are validated before anything runs: an invalid one is refused with the path of the
 * bad field and what is wrong with it, and {@code simulate} exits 2.
 */
class ScenarioTest {

    /** The issue's example, verbatim. */
    private static final String EXAMPLE = """
            { "name": "oss-terminated", "seed": 7, "latency": "aws",
              "fileSystem": { "name": "scratch", "az": "us-east-1a", "mds": 1, "oss": 4, "volumesPerOss": 2, "standbys": 0 },
              "faults": [ { "at": 120, "kind": "terminate", "role": "oss02" } ],
              "expect": { "allServingWithin": 600 } }
            """;

    @Test
    void theIssuesExampleParses() throws Exception {
        Scenario s = Scenario.parse(EXAMPLE);
        assertEquals("oss-terminated", s.name());
        assertEquals(7, s.seed());
        assertEquals(Scenario.LatencyProfile.AWS, s.latency());
        assertEquals(new Scenario.FileSystem("scratch", "us-east-1a", 1, 4, 2, 0), s.fileSystem());
        assertEquals(List.of(new Scenario.Fault(120, Scenario.Kind.TERMINATE, "oss02", 0)), s.faults());
        assertEquals(600, s.expect().allServingWithin());
    }

    @Test
    void everyFaultKindParsesWithWhatItNeeds() throws Exception {
        Scenario s = Scenario.parse(with("""
                "faults": [
                  { "at": 0, "kind": "terminate", "role": "mgs" },
                  { "at": 1, "kind": "stop", "role": "mds01" },
                  { "at": 2, "kind": "hang", "role": "oss04" },
                  { "at": 3, "kind": "stuck-detach", "role": "oss01", "seconds": 60 },
                  { "at": 4, "kind": "throttle", "seconds": 10 },
                  { "at": 5, "kind": "drop-events", "seconds": 1.5 },
                  { "at": 6, "kind": "duplicate-events", "seconds": 30 },
                  { "at": 7, "kind": "az-outage", "seconds": 120 },
                  { "at": 8, "kind": "garbage-events" },
                  { "at": 9, "kind": "recover", "step": "Fence" },
                  { "at": 10, "kind": "lose-response", "role": "oss02", "step": "Attach" },
                  { "at": 11, "kind": "lustre-unhealthy", "role": "oss01", "seconds": 60 },
                  { "at": 12, "kind": "target-readonly", "role": "oss02", "seconds": 60 },
                  { "at": 13, "kind": "lnet-down", "role": "mgs", "seconds": 60 },
                  { "at": 14, "kind": "agent-silent", "role": "mds01", "seconds": 60 },
                  { "at": 15, "kind": "move", "role": "oss03" },
                  { "at": 16, "kind": "unmount-hangs", "role": "oss03" } ]"""));
        assertEquals(List.of(Scenario.Kind.values()), s.faults().stream().map(Scenario.Fault::kind).toList());
        assertEquals(127, s.faults().get(7).endsAt());
        assertEquals(1.5, s.faults().get(5).seconds());
        // A recovery strikes the outgoing server by default, anything else the incoming one.
        assertEquals(new Scenario.Fault(9, Scenario.Kind.RECOVER, null, 0, "Fence", Scenario.Target.OUTGOING),
                s.faults().get(9));
        assertEquals(new Scenario.Fault(10, Scenario.Kind.LOSE_RESPONSE, "oss02", 0, "Attach", Scenario.Target.INCOMING),
                s.faults().get(10));
    }

    @Test
    void optionalFieldsHaveDefaults() throws Exception {
        Scenario s = Scenario.parse("""
                { "name": "boot", "fileSystem": { "name": "fs1", "az": "eu-west-1b", "mds": 2, "oss": 1, "volumesPerOss": 1 },
                  "expect": { "allServingWithin": 300 } }""");
        assertEquals(1, s.seed());
        assertEquals(Scenario.LatencyProfile.AWS, s.latency());
        assertEquals(0, s.fileSystem().standbys());
        assertEquals(List.of(), s.faults());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', textBlock = """
            unknown kind        | "faults": [ { "at": 1, "kind": "explode", "role": "oss01" } ]             | faults[0].kind | unknown kind 'explode' (expected one of terminate, stop, hang, stuck-detach, throttle, drop-events, duplicate-events, az-outage, garbage-events, recover, lose-response, lustre-unhealthy, target-readonly, lnet-down, agent-silent, move, unmount-hangs)
            missing role        | "faults": [ { "at": 1, "kind": "hang" } ]                                 | faults[0].role | missing: kind hang needs the role it hits (one of mgs, mds01, oss01..oss04)
            unknown role        | "faults": [ { "at": 1, "kind": "stop", "role": "oss05" } ]                | faults[0].role | 'oss05' is not a role of scratch (its roles: mgs, mds01, oss01..oss04)
            negative time       | "faults": [ { "at": 5, "kind": "throttle", "seconds": 9 }, { "at": -5, "kind": "terminate", "role": "mgs" } ] | faults[1].at | -5 is negative: fault times count forward from the moment every role first served
            missing seconds     | "faults": [ { "at": 1, "kind": "az-outage" } ]                            | faults[0].seconds | missing: kind az-outage needs how long its window lasts
            zero seconds        | "faults": [ { "at": 1, "kind": "drop-events", "seconds": 0 } ]            | faults[0].seconds | 0 is out of range: 0 < seconds <= 86400
            seconds on instant  | "faults": [ { "at": 1, "kind": "terminate", "role": "mgs", "seconds": 5 } ] | faults[0].seconds | kind terminate is instant and has no duration: remove the field
            role on throttle    | "faults": [ { "at": 1, "kind": "throttle", "role": "mgs", "seconds": 5 } ] | faults[0].role | kind throttle hits no single role: remove the field
            at as text          | "faults": [ { "at": "soon", "kind": "hang", "role": "mgs" } ]             | faults[0].at | expected a number of seconds, got the string "soon"
            missing at          | "faults": [ { "kind": "hang", "role": "mgs" } ]                           | faults[0].at | missing
            fault not an object | "faults": [ 42 ]                                                          | faults[0] | expected an object, got the number 42
            faults not an array | "faults": { "at": 1 }                                                     | faults | expected an array of faults, got an object
            unknown fault field | "faults": [ { "at": 1, "kind": "hang", "role": "mgs", "when": 3 } ]      | faults[0].when | unknown field (expected at, kind, role, seconds, step, target)
            step on az-outage   | "faults": [ { "at": 1, "kind": "az-outage", "seconds": 9, "step": "Fence" } ] | faults[0].step | kind az-outage cannot be tied to a step: remove the field
            unknown step        | "faults": [ { "at": 1, "kind": "terminate", "step": "Mount" } ]          | faults[0].step | 'Mount' is not a handover step (expected one of Claim, Fence, Detach, Attach, Record, Complete)
            lost response, no step | "faults": [ { "at": 1, "kind": "lose-response" } ]                  | faults[0].step | missing: kind lose-response strikes at a handover step (one of Claim, Fence, Detach, Attach, Record, Complete)
            target without step | "faults": [ { "at": 1, "kind": "stop", "role": "mgs", "target": "outgoing" } ] | faults[0].target | only a fault tied to a step has a target: remove the field
            health fault, no seconds | "faults": [ { "at": 1, "kind": "lustre-unhealthy", "role": "oss01" } ] | faults[0].seconds | missing: kind lustre-unhealthy needs how long its window lasts
            health fault, no role | "faults": [ { "at": 1, "kind": "agent-silent", "seconds": 30 } ]    | faults[0].role | missing: kind agent-silent needs the role it hits (one of mgs, mds01, oss01..oss04)
            health fault on a step | "faults": [ { "at": 1, "kind": "lnet-down", "role": "mgs", "seconds": 30, "step": "Fence" } ] | faults[0].step | kind lnet-down cannot be tied to a step: remove the field
            unknown target      | "faults": [ { "at": 1, "kind": "hang", "step": "Attach", "target": "both" } ] | faults[0].target | 'both' is not a target (expected incoming or outgoing)
            """)
    void invalidFaultsNameTheirField(String why, String faults, String field, String problem) {
        Scenario.Invalid e = assertThrows(Scenario.Invalid.class, () -> Scenario.parse(with(faults)), why);
        assertEquals(field, e.field());
        assertEquals(field + ": " + problem, e.getMessage());
    }

    @Test
    void healthExpectationsParseAndWriteBack() throws Exception {
        Scenario s = Scenario.parse("""
                { "name": "flap", "fileSystem": { "name": "scratch", "az": "us-east-1a", "mds": 1, "oss": 2, "volumesPerOss": 1 },
                  "faults": [ { "at": 0, "kind": "lustre-unhealthy", "role": "oss01", "seconds": 60 } ],
                  "expect": { "allServingWithin": 300, "moves": { "oss01": 3, "mgs": 0 }, "neverAlarmed": ["mgs"],
                              "held": ["oss01"] } }""");
        assertEquals(new Scenario.Expect(300, java.util.Map.of("oss01", 3, "mgs", 0), List.of("mgs"), List.of("oss01")),
                s.expect());
        assertEquals(s, Scenario.parse(s.toJson()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', textBlock = """
            moves of no role    | "moves": { "oss09": 1 }    | expect.moves.oss09 | 'oss09' is not a role of scratch (its roles: mgs, mds01, oss01..oss04)
            moves not a number  | "moves": { "oss01": "x" }  | expect.moves.oss01 | expected a whole number, got the string "x"
            negative moves      | "moves": { "oss01": -1 }   | expect.moves.oss01 | -1 is out of range 0..1000
            held not a list     | "held": "oss01"            | expect.held | expected an array of roles, got the string "oss01"
            held of no role     | "held": ["oss09"]          | expect.held[0] | 'oss09' is not a role of scratch (its roles: mgs, mds01, oss01..oss04)
            never alarmed number | "neverAlarmed": [1]       | expect.neverAlarmed[0] | expected a role, got the number 1
            unknown expectation | "within": 3                | expect.within | unknown field (expected allServingWithin, moves, neverAlarmed, held)
            """)
    void invalidExpectationsNameTheirField(String why, String extra, String field, String problem) {
        Scenario.Invalid e = assertThrows(Scenario.Invalid.class, () -> Scenario.parse("""
                { "name": "x", "fileSystem": { "name": "scratch", "az": "us-east-1a", "mds": 1, "oss": 4, "volumesPerOss": 2 },
                  "expect": { "allServingWithin": 60, %s } }""".formatted(extra)), why);
        assertEquals(field, e.field());
        assertEquals(field + ": " + problem, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', textBlock = """
            fsname too long     | "name": "scratchfs01"  | fileSystem.name | 'scratchfs01' is too long: a Lustre fsname has at most 8 characters (it is 11)
            fsname with a dash  | "name": "my-fs"        | fileSystem.name | 'my-fs' may hold only letters, digits and '_' (no '-': Lustre uses it in target labels)
            fsname with a digit first | "name": "1fs"    | fileSystem.name | '1fs' must start with a letter (a-z, A-Z)
            fsname empty        | "name": ""             | fileSystem.name | must not be empty (a Lustre fsname has 1-8 characters)
            no mds              | "mds": 0               | fileSystem.mds  | 0 is out of range 1..8
            fractional oss      | "oss": 2.5             | fileSystem.oss  | expected a whole number, got the number 2.5
            too many volumes    | "volumesPerOss": 12    | fileSystem.volumesPerOss | 12 is out of range 1..11
            bad az              | "az": "us-east"        | fileSystem.az   | 'us-east' is not an Availability Zone name (e.g. us-east-1a)
            negative standbys   | "standbys": -1         | fileSystem.standbys | -1 is out of range 0..8
            """)
    void invalidFileSystemsNameTheirField(String why, String field, String path, String problem) {
        String fs = "{ \"name\": \"scratch\", \"az\": \"us-east-1a\", \"mds\": 1, \"oss\": 4, \"volumesPerOss\": 2, "
                + "\"standbys\": 0 }";
        String key = field.substring(0, field.indexOf(':'));
        String patched = fs.replaceFirst(key + ": [^,}]+", field.replace("\\", "\\\\").replace("$", "\\$"));
        Scenario.Invalid e = assertThrows(Scenario.Invalid.class, () -> Scenario.parse(
                "{ \"name\": \"x\", \"fileSystem\": " + patched + ", \"expect\": { \"allServingWithin\": 60 } }"), why);
        assertEquals(path + ": " + problem, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', textBlock = """
            not JSON            | { "name": "x",                                           | | not valid JSON: Unexpected end-of-input within/between Object entries (line 1, column 15)
            not an object       | [1, 2]                                                   | | expected an object, got an array
            missing name        | { "fileSystem": {}, "expect": {} }                       | name | missing
            missing fileSystem  | { "name": "x", "expect": { "allServingWithin": 60 } }    | fileSystem | missing
            unknown top field   | { "name": "x", "speed": 10 }                             | speed | unknown field (expected name, seed, latency, fileSystem, faults, expect)
            bad latency         | { "name": "x", "latency": "slow" }                       | latency | 'slow' is not a latency profile (expected zero or aws)
            seed as text        | { "name": "x", "seed": "seven" }                         | seed | expected a whole number, got the string "seven"
            """)
    void invalidDocumentsNameTheirField(String why, String text, String field, String problem) {
        Scenario.Invalid e = assertThrows(Scenario.Invalid.class, () -> Scenario.parse(text), why);
        assertEquals(field == null ? "" : field, e.field());
        assertEquals(field == null ? problem : field + ": " + problem, e.getMessage());
    }

    @Test
    void expectationsAreRequiredAndPositive() {
        String base = EXAMPLE.substring(0, EXAMPLE.indexOf("\"expect\""));
        assertEquals("expect: missing", assertThrows(Scenario.Invalid.class,
                () -> Scenario.parse(base.substring(0, base.lastIndexOf(',')) + " }")).getMessage());
        assertEquals("expect.allServingWithin: missing", assertThrows(Scenario.Invalid.class,
                () -> Scenario.parse(base + "\"expect\": {} }")).getMessage());
        assertEquals("expect.allServingWithin: -1 is out of range: 0 < seconds <= 86400", assertThrows(
                Scenario.Invalid.class, () -> Scenario.parse(base + "\"expect\": { \"allServingWithin\": -1 } }"))
                .getMessage());
    }

    @Test
    void aDuplicateKeyIsRefused() {
        Scenario.Invalid e = assertThrows(Scenario.Invalid.class,
                () -> Scenario.parse("{ \"name\": \"a\", \"name\": \"b\" }"));
        assertTrue(e.getMessage().startsWith("not valid JSON: Duplicate field 'name'"), e.getMessage());
    }

    // ---------------------------------------------------------------- the command line

    @Test
    void simulateExitsTwoWithTheFileAndFieldForAnInvalidScenario(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, with("\"faults\": [ { \"at\": 10, \"kind\": \"meteor\", \"role\": \"oss01\" } ]"));
        Cli r = run("simulate", file.toString());
        assertEquals(2, r.code());
        assertEquals("invalid scenario " + file + ": faults[0].kind: unknown kind 'meteor' (expected one of terminate, "
                + "stop, hang, stuck-detach, throttle, drop-events, duplicate-events, az-outage, garbage-events, recover, lose-response, "
                + "lustre-unhealthy, target-readonly, lnet-down, agent-silent, move, unmount-hangs)\n", r.err());
        assertEquals("", r.out(), "nothing ran");
    }

    /** The issue's four named cases, through the command as a user runs it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', textBlock = """
            unknown kind   | "kind": "terminate"         | "kind": "reboot"  | faults[0].kind: unknown kind 'reboot'
            missing role   | , "role": "oss02"           |                   | faults[0].role: missing: kind terminate needs the role it hits
            fsname too long| "name": "scratch"           | "name": "scratch123" | fileSystem.name: 'scratch123' is too long: a Lustre fsname has at most 8 characters (it is 10)
            negative time  | "at": 120                   | "at": -1          | faults[0].at: -1 is negative
            """)
    void theNamedInvalidCasesExitTwoWithAPreciseMessage(String why, String from, String to, String message,
            @TempDir Path dir) throws IOException {
        String text = EXAMPLE.replace(from, to == null ? "" : to);
        Path file = dir.resolve(why.replace(' ', '-') + ".json");
        Files.writeString(file, text);
        Cli r = run("simulate", file.toString());
        assertEquals(2, r.code(), why + r.printed());
        assertTrue(r.err().startsWith("invalid scenario " + file + ": " + message), why + r.printed());
    }

    @Test
    void badCommandLinesExitTwo(@TempDir Path dir) {
        assertEquals(2, run().code());
        assertEquals(2, run("deploy").code());
        assertEquals(2, run("simulate").code());
        assertEquals(2, run("simulate", dir.resolve("missing.json").toString()).code());
        assertTrue(run("simulate", dir.resolve("missing.json").toString()).err().startsWith("error: no such file: "));
        assertEquals(2, run("replay").code());
        assertEquals(2, run("demo", "--speed", "fast").code());
        assertEquals(2, run("demo", "--speed", "0").code());
        assertEquals(2, run("demo", "--report", "x.json").code());
        assertEquals(2, run("demo", "--turbo").code());
        assertEquals(2, run("simulate", "a.json", "--map", "i-0123456789abcdef0=oss01").code());
        assertEquals(0, run("demo", "--help").code());
        assertTrue(run("--help").out().contains("./lustre-ha simulate <scenario.json> [--report <out.json>]"));
    }

    private static String with(String faults) {
        return EXAMPLE.replaceFirst("\"faults\": \\[[^\\]]*\\]", faults.replace("\\", "\\\\").replace("$", "\\$"));
    }

    private static Cli run(String... args) {
        return Cli.run(args);
    }
}
