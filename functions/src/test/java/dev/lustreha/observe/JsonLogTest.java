package dev.lustreha.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.api.client.logging.LambdaContextLogger;
import com.amazonaws.services.lambda.runtime.api.client.logging.LogSink;
import com.amazonaws.services.lambda.runtime.logging.LogFormat;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Json;
import dev.lustreha.trigger.TriggerResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What CloudWatch Logs receives from our handlers under {@code LoggingConfig.LogFormat: JSON}, with
 * the Java runtime interface client's real logger ({@code LambdaContextLogger}, the logger the java21
 * runtime hands to {@code Context.getLogger()}, and its {@code JsonLogFormatter}) configured as
 * Lambda configures it for that format. The sink stands for the platform's log pipe: it keeps each
 * frame's bytes and the format its header declares.
 */
class JsonLogTest {

    /** One frame as the runtime hands it to the platform. */
    record Frame(LogFormat format, String text) {
    }

    private final List<Frame> frames = new ArrayList<>();
    private final LambdaContextLogger runtimeLogger = new LambdaContextLogger(new LogSink() {
        @Override
        public void log(byte[] message) {
            frames.add(new Frame(LogFormat.TEXT, new String(message, StandardCharsets.UTF_8)));
        }

        @Override
        public void log(LogLevel level, LogFormat format, byte[] message) {
            frames.add(new Frame(format, new String(message, StandardCharsets.UTF_8)));
        }

        @Override
        public void close() {
        }
    }, LogLevel.INFO, LogFormat.JSON);

    private final Context context = (Context) Proxy.newProxyInstance(Context.class.getClassLoader(),
            new Class<?>[] {Context.class}, (p, m, a) -> switch (m.getName()) {
                case "getLogger" -> (LambdaLogger) runtimeLogger;
                case "getAwsRequestId" -> "8f5c0a5e-0000-4000-8000-000000000001";
                default -> null;
            });

    private JsonNode onlyRecord() throws Exception {
        assertEquals(1, frames.size(), frames.toString());
        assertEquals(LogFormat.JSON, frames.get(0).format(), "the frame is declared JSON, as the function's format");
        return Json.MAPPER.readTree(frames.get(0).text());
    }

    @Test
    void logOfAStringIsWrappedByTheRuntimeAsOneEscapedMessage() throws Exception {
        // The problem this class solves, shown with the runtime's own formatter: the keys arrive as text.
        runtimeLogger.log("{\"step\":\"Claim\",\"role\":\"oss02\",\"epoch\":3}\n");
        JsonNode record = onlyRecord();
        assertTrue(record.path("message").isTextual(), record.toString());
        assertTrue(record.path("message").asText().contains("\"role\":\"oss02\""), record.toString());
        assertTrue(record.path("role").isMissingNode(), "role is not a field: " + record);
        assertTrue(record.has("timestamp") && record.has("level"), record.toString());
    }

    @Test
    void aStepHandlersLineArrivesWithItsKeysAsFields() throws Exception {
        String state = "{\"input\":{\"fileSystem\":\"scratch\",\"instanceId\":\"i-000000000000000aa\","
                + "\"executionName\":\"launch-i-000000000000000aa\"},\"claim\":{\"outcome\":\"CLAIMED\","
                + "\"roleId\":\"oss02\",\"epoch\":3}}";
        new ProbeStep().handleRequest(new ByteArrayInputStream(state.getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), context);
        JsonNode record = onlyRecord();
        assertEquals("ProbeStep", record.path("step").asText());
        assertEquals("oss02", record.path("role").asText());
        assertEquals(3, record.path("epoch").asLong());
        assertTrue(record.path("epoch").isNumber(), "a number, so Logs Insights can compare it");
        assertEquals("launch-i-000000000000000aa", record.path("execution").asText());
        assertEquals("INFO", record.path("level").asText());
        assertEquals("8f5c0a5e-0000-4000-8000-000000000001", record.path("requestId").asText());
        assertFalse(record.has("message"), "no wrapper: " + record);
        assertTrue(frames.get(0).text().endsWith("}\n"), "one line, as the runtime's formatter ends its own");
    }

    @Test
    void aTriggersLineArrivesWithItsKeysAsFields() throws Exception {
        // TriggerHandler and ReconcileHandler write their records through the same JsonLog.write.
        JsonLog.write(context, new TriggerResult("STARTED", "launch lifecycle action", "i-000000000000000aa",
                "launch-i-000000000000000aa"), "INFO");
        JsonNode record = onlyRecord();
        assertEquals("STARTED", record.path("action").asText());
        assertEquals("i-000000000000000aa", record.path("instanceId").asText());
        assertEquals("launch-i-000000000000000aa", record.path("execution").asText());
        assertFalse(record.has("message"), record.toString());
    }

    @Test
    void aValueThatIsNoObjectIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> JsonLog.write(context, List.of("a"), "INFO"));
        assertTrue(frames.isEmpty());
    }

    private static final class ProbeStep extends dev.lustreha.steps.StepHandler {
        ProbeStep() {
            super(s -> s);
        }
    }
}
