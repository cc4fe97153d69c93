package dev.lustreha.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmfTest {

    @Test
    void aDocumentNamesEachMetricWithItsUnitUnderOneFileSystemDimension() throws IOException {
        Map<String, Emf.Metric> metrics = new LinkedHashMap<>();
        metrics.put("HandoverSeconds", Emf.Metric.seconds(12.5));
        metrics.put("ForcedFences", Emf.Metric.count(1));
        JsonNode doc = Json.MAPPER.readTree(Emf.document(Instant.parse("2026-11-21T10:00:00Z"), "scratch", metrics,
                Map.of("role", "oss02")));

        JsonNode directive = doc.path("_aws").path("CloudWatchMetrics").get(0);
        assertEquals(Instant.parse("2026-11-21T10:00:00Z").toEpochMilli(), doc.path("_aws").path("Timestamp").asLong());
        assertEquals("LustreHA", directive.path("Namespace").asText());
        assertEquals("[[\"FileSystem\"]]", directive.path("Dimensions").toString());
        assertEquals("HandoverSeconds", directive.path("Metrics").get(0).path("Name").asText());
        assertEquals("Seconds", directive.path("Metrics").get(0).path("Unit").asText());
        assertEquals("ForcedFences", directive.path("Metrics").get(1).path("Name").asText());
        assertEquals("Count", directive.path("Metrics").get(1).path("Unit").asText());
        assertEquals("scratch", doc.path("FileSystem").asText(), "the dimension's value sits at the root");
        assertEquals(12.5, doc.path("HandoverSeconds").asDouble());
        assertEquals(1, doc.path("ForcedFences").asInt());
        assertEquals("oss02", doc.path("role").asText(), "properties are searchable, not dimensions");
    }
}
