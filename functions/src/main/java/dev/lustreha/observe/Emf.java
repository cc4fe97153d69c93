package dev.lustreha.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.config.Json;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch Embedded Metric Format documents: one JSON line on standard output, which CloudWatch
 * Logs turns into metrics — no PutMetricData call, no permission, no library. Namespace
 * {@code LustreHA}; every document's one dimension set is {@code [FileSystem]}, so the template's
 * alarms can name the metric exactly.
 */
public final class Emf {

    public static final String NAMESPACE = "LustreHA";

    /** Every document's one dimension set (the dashboard's checks read it from here). */
    public static final List<String> DIMENSIONS = List.of("FileSystem");

    /** One metric's value and unit ({@code Count}, {@code Seconds}, ...). */
    public record Metric(double value, String unit) {

        public static Metric count(long n) {
            return new Metric(n, "Count");
        }

        public static Metric seconds(double s) {
            return new Metric(s, "Seconds");
        }
    }

    private Emf() {
    }

    /**
     * @param properties extra fields searchable in CloudWatch Logs but not dimensions (role, execution, ...)
     */
    public static String document(Instant at, String fileSystem, Map<String, Metric> metrics,
            Map<String, String> properties) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", at.toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        ArrayNode dimensions = directive.putArray("Dimensions").addArray();
        DIMENSIONS.forEach(dimensions::add);
        ArrayNode names = directive.putArray("Metrics");
        root.put(DIMENSIONS.get(0), fileSystem);
        metrics.forEach((name, m) -> {
            names.addObject().put("Name", name).put("Unit", m.unit());
            root.put(name, m.value());
        });
        properties.forEach(root::put);
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
