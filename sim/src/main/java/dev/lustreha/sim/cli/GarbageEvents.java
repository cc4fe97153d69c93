package dev.lustreha.sim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustreha.local.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The sample events of {@code events/} that are malformed or not lustre-ha's to act on (foreign
 * groups, warm pools), by file name: what the triggers must reject or ignore
 * without changing anything (I7). The one file that is not JSON at all cannot reach a trigger as an
 * event; the handlers' byte-level parsing is the fuzz tests' to cover.
 */
final class GarbageEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PREFIXES = List.of("malformed-", "foreign-", "warm-pool-");
    private static Map<String, JsonNode> events;

    private GarbageEvents() {
    }

    static synchronized Map<String, JsonNode> load() {
        if (events == null) {
            Map<String, JsonNode> found = new LinkedHashMap<>();
            try (Stream<Path> files = Files.list(Repository.file("events"))) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".json") && PREFIXES.stream().anyMatch(name::startsWith)) {
                        try {
                            found.put(name, JSON.readTree(Files.readString(f)));
                        } catch (JsonProcessingException notJson) {
                            // malformed-not-json.json: see the class comment
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read events/", e);
            }
            if (found.isEmpty()) {
                throw new IllegalStateException("no malformed or foreign sample events in events/");
            }
            events = Map.copyOf(found);
        }
        return events;
    }
}
