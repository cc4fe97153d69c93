package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustreha.local.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every scenario in {@code scenarios/} runs through {@code simulate} as a user runs it, and holds:
 * exit 0, a report that says ok, no violation, every expectation met. Together they cover every
 * fault kind.
 */
class SimulateScenariosIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPORTS = Path.of("target", "scenario-reports");

    @TestFactory
    Stream<DynamicTest> everyScenarioHolds() throws IOException {
        return scenarios(Repository.file("scenarios")).stream().map(file -> DynamicTest.dynamicTest(
                file.getFileName().toString(), () -> {
                    Path report = REPORTS.resolve(file.getFileName());
                    Cli r = Cli.run("simulate", file.toString(), "--report", report.toString());
                    assertEquals(0, r.code(), r.printed());
                    JsonNode j = JSON.readTree(report.toFile());
                    assertTrue(j.path("ok").asBoolean(), r.printed());
                    assertEquals(0, j.path("violations").size(), r.printed());
                    assertReportShape(j);
                    assertTrue(r.out().contains("OK: " + j.path("scenario").asText()), r.printed());
                }));
    }

    @Test
    void theScenariosCoverEveryFaultKind() throws Exception {
        Set<Scenario.Kind> covered = EnumSet.noneOf(Scenario.Kind.class);
        for (Path file : scenarios(Repository.file("scenarios"))) {
            Scenario.parse(Files.readString(file)).faults().forEach(f -> covered.add(f.kind()));
        }
        assertEquals(EnumSet.allOf(Scenario.Kind.class), covered);
    }

    private static void assertReportShape(JsonNode j) {
        for (String field : List.of("scenario", "ok", "violations", "roles", "handovers", "apiCalls", "virtualSeconds",
                "wallSeconds")) {
            assertTrue(j.has(field), "report field " + field);
        }
        assertEquals(6, j.path("roles").size());
        for (JsonNode role : j.path("roles")) {
            for (String field : List.of("role", "owner", "state", "epoch")) {
                assertTrue(role.has(field), "roles[]." + field);
            }
        }
        assertTrue(j.path("handovers").size() >= 6, "at least the first claims");
        for (JsonNode h : j.path("handovers")) {
            for (String field : List.of("role", "fromInstance", "toInstance", "ok")) {
                assertTrue(h.has(field), "handovers[]." + field);
            }
            for (String phase : List.of("fence", "detach", "attach", "total")) {
                assertTrue(h.path("phases").has(phase), "handovers[].phases." + phase);
            }
            if (h.path("ok").asBoolean()) {
                assertTrue(h.path("phases").path("total").asDouble() > 0, h.toString());
            }
        }
        assertNotNull(j.path("apiCalls").get("Ec2.AttachVolume"));
        assertTrue(j.path("virtualSeconds").asDouble() > 0);
        assertTrue(j.path("wallSeconds").asDouble() > 0);
    }

    private static List<Path> scenarios(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }
}
