package dev.lustreha.sim.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.local.Repository;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.template.CloudFormationYaml;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.LocalCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * The dashboard in template.yaml is the one {@link Dashboard} generates, its body is JSON once the
 * stack's substitutions are made, and every metric it (or an alarm on a LustreHA metric) names is
 * one this code base emits, with the same dimensions. "Emits" is measured, not declared: a local
 * cloud runs the production handlers, the scheduled reconciler and the health agents through a
 * first boot and an OSS server's termination, and the test collects the metric documents they
 * printed (namespace, name, dimension names) and the ServerHealthy datapoints the agents put.
 */
class DashboardIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEMPLATE = Repository.file("template.yaml");
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{([^}!][^}]*)}");
    private static final Pattern SEARCH = Pattern.compile("SEARCH\\('\\{([^}]+)} MetricName=\"([^\"]+)\"");

    /** "Namespace|MetricName|Dimension,Names" for every metric the run emitted. */
    private static final Set<String> EMITTED = new TreeSet<>();
    private static JsonNode template;

    @BeforeAll
    static void emitEverything() {
        template = CloudFormationYaml.read(TEMPLATE);
        FileSystemSpec spec = new FileSystemSpec(new FileSystemName("scratch"), "us-east-1a", 1, 4, 2, 0);
        try (LocalCloud cloud = LocalCloud.start(spec, LocalCloud.Options.fast(1301).withReconciler(
                Duration.ofMinutes(2)))) {
            assertTrue(cloud.awaitSettled(Duration.ofMinutes(20)), () -> "first boot: " + cloud.roles());
            String old = cloud.role("oss02").owner().orElseThrow();
            cloud.sim().ec2().terminateInstances(r -> r.instanceIds(old));
            assertTrue(cloud.await(() -> cloud.role("oss02").epoch() == 2 && cloud.allServing(),
                    Duration.ofMinutes(20)), () -> cloud.roles().toString());
            // A few more reconciler runs and health checks after the handover.
            cloud.runUntil(cloud.sim().clock().now().plus(Duration.ofMinutes(5)));
            for (String line : cloud.metricLines()) {
                JsonNode doc = read(line);
                for (JsonNode directive : doc.path("_aws").path("CloudWatchMetrics")) {
                    for (JsonNode dims : directive.path("Dimensions")) {
                        List<String> names = new ArrayList<>();
                        dims.forEach(d -> names.add(d.asText()));
                        for (JsonNode m : directive.path("Metrics")) {
                            EMITTED.add(key(directive.path("Namespace").asText(), m.path("Name").asText(), names));
                        }
                    }
                }
            }
            // The agents' datapoints: GetMetricStatistics matches the exact dimension set.
            for (Role role : cloud.roles()) {
                var answer = cloud.sim().cloudWatch().getMetricStatistics(r -> r.namespace("LustreHA")
                        .metricName("ServerHealthy").dimensions(
                                Dimension.builder().name("FileSystem").value("scratch").build(),
                                Dimension.builder().name("Role").value(role.id().value()).build())
                        .startTime(SimCloud.EPOCH).endTime(cloud.sim().clock().now()).period(3600)
                        .statistics(Statistic.SAMPLE_COUNT));
                if (!answer.datapoints().isEmpty()) {
                    EMITTED.add(key("LustreHA", "ServerHealthy", List.of("FileSystem", "Role")));
                }
            }
        }
    }

    @Test
    void theTemplateHoldsTheGeneratedBlock() throws Exception {
        String text = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        assertEquals(Dashboard.templateBlock(), DashboardCommand.currentBlock(text),
                "template.yaml's dashboard is not the generated one: run ./lustre-ha dashboard --write");
    }

    @Test
    void theRunEmittedTheMetricsThisTestReliesOn() {
        // Guards the measurement itself: a run that emitted nothing would make every check below vacuous.
        for (String k : List.of("LustreHA|Handovers|FileSystem", "LustreHA|FenceSeconds|FileSystem",
                "LustreHA|RolesNotMounted|FileSystem", "LustreHA|ServerHealthy|FileSystem,Role")) {
            assertTrue(EMITTED.contains(k), k + " not in " + EMITTED);
        }
    }

    @Test
    void theBodyIsJsonAndEveryMetricItNamesIsEmitted() {
        JsonNode body = body();
        assertTrue(body.path("widgets").size() >= 8, body.toString());
        List<String> named = named(body);
        assertTrue(named.size() >= 15, named.toString());
        assertEquals(List.of(), unemitted(named), "widgets name metrics nobody emits; emitted: " + EMITTED);
    }

    @Test
    void aWidgetNamingAMetricNobodyEmitsIsCaught() {
        // The check above, shown to fail: one made-up metric added to a copy of the body.
        ObjectNode body = (ObjectNode) body();
        ArrayNode metrics = null;
        for (JsonNode w : body.path("widgets")) {
            if (w.path("properties").path("metrics").isArray()) {
                metrics = (ArrayNode) w.path("properties").path("metrics");
                break;
            }
        }
        metrics.addArray().add("LustreHA").add("HandoversPlanned").add("FileSystem").add("scratch");
        metrics.addArray().add("LustreHA").add("Handovers").add("Role").add("oss01");
        assertEquals(List.of("LustreHA|HandoversPlanned|FileSystem", "LustreHA|Handovers|Role"),
                unemitted(named(body)));
    }

    @Test
    void everySubstitutionIsAResourceAParameterOrThePartitionsConsole() {
        JsonNode resources = template.path("Resources");
        JsonNode parameters = template.path("Parameters");
        JsonNode sub = resources.path("Dashboard").path("Properties").path("DashboardBody").path("Fn::Sub");
        assertEquals(Set.of("ConsoleHost"), fieldNames(sub.get(1)));
        Matcher m = SUBSTITUTION.matcher(sub.get(0).asText());
        int seen = 0;
        while (m.find()) {
            String name = m.group(1);
            String logical = name.split("\\.")[0];
            assertTrue(name.startsWith("AWS::") || name.equals("ConsoleHost") || resources.has(logical)
                    || parameters.has(logical), name + " is not in the template");
            seen++;
        }
        assertTrue(seen > 20, "substitutions: " + seen);
    }

    @Test
    void theAlarmWidgetShowsEveryAlarmOfTheStack() {
        Set<String> alarms = new TreeSet<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.add(e.getKey());
            }
        });
        assertEquals(alarms, new TreeSet<>(Dashboard.ALARMS));
    }

    @Test
    void everyAlarmOnALustreHaMetricWatchesAnEmittedOne() {
        List<String> watched = new ArrayList<>();
        for (Iterator<JsonNode> it = template.path("Resources").elements(); it.hasNext();) {
            JsonNode r = it.next();
            if (r.path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                collectAlarmMetrics(r.path("Properties"), watched);
            }
        }
        assertTrue(watched.size() >= 6, watched.toString());
        assertEquals(List.of(), unemitted(watched), "emitted: " + EMITTED);
    }

    @Test
    void theReconcilerSilentAlarmTreatsMissingDataAsBreaching() {
        JsonNode p = template.path("Resources").path("ReconcilerSilentAlarm").path("Properties");
        assertEquals("breaching", p.path("TreatMissingData").asText());
        assertEquals("LessThanThreshold", p.path("ComparisonOperator").asText());
        assertEquals("SampleCount", p.path("Statistic").asText());
    }

    // ---------------------------------------------------------------- helpers

    /** The body with every substitution made (sample values), as JSON. */
    private static JsonNode body() {
        String text = template.path("Resources").path("Dashboard").path("Properties").path("DashboardBody")
                .path("Fn::Sub").get(0).asText();
        return read(SUBSTITUTION.matcher(text).replaceAll(r -> r.group(1).equals("FileSystemName") ? "scratch" : "x"));
    }

    /** Every metric the body's widgets name, as keys. */
    private static List<String> named(JsonNode body) {
        List<String> keys = new ArrayList<>();
        for (JsonNode w : body.path("widgets")) {
            for (JsonNode line : w.path("properties").path("metrics")) {
                JsonNode first = line.get(0);
                if (first.isTextual()) {
                    List<String> dims = new ArrayList<>();
                    for (int i = 2; i + 1 < line.size() && line.get(i).isTextual(); i += 2) {
                        dims.add(line.get(i).asText());
                    }
                    keys.add(key(first.asText(), line.get(1).asText(), dims));
                } else {
                    Matcher m = SEARCH.matcher(first.path("expression").asText());
                    assertTrue(m.find(), "an expression this test does not read: " + first);
                    String[] schema = m.group(1).split(",");
                    keys.add(key(schema[0], m.group(2), List.of(schema).subList(1, schema.length)));
                }
            }
        }
        return keys;
    }

    private static void collectAlarmMetrics(JsonNode node, List<String> out) {
        if (node.isObject()) {
            if (node.path("Namespace").asText().equals("LustreHA") && node.has("MetricName")) {
                List<String> dims = new ArrayList<>();
                node.path("Dimensions").forEach(d -> dims.add(d.path("Name").asText()));
                out.add(key("LustreHA", node.path("MetricName").asText(), dims));
            }
            node.elements().forEachRemaining(child -> collectAlarmMetrics(child, out));
        } else if (node.isArray()) {
            node.forEach(child -> collectAlarmMetrics(child, out));
        }
    }

    private static List<String> unemitted(List<String> keys) {
        // AWS/ metrics are the services' own (Lambda Errors, SQS depth, Step Functions failures).
        return keys.stream().filter(k -> !k.startsWith("AWS/") && !EMITTED.contains(k)).distinct().toList();
    }

    private static String key(String namespace, String name, List<String> dimensions) {
        return namespace + "|" + name + "|" + String.join(",", new TreeSet<>(dimensions));
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + e.getMessage() + "\n" + json, e);
        }
    }
}
