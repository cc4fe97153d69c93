package dev.lustreha.observe;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.config.Json;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The handlers' log lines, written so that CloudWatch Logs Insights sees their keys ({@code step},
 * {@code role}, {@code epoch}, {@code execution}, ...) as fields of the record.
 *
 * <p>Why {@code LambdaLogger.log(byte[])}: under {@code LoggingConfig.LogFormat: JSON} the Java
 * runtime interface client formats every {@code log(String)} with its {@code JsonLogFormatter},
 * which puts the whole string into the {@code message} field of its own object ({@code timestamp},
 * {@code level}, {@code message}, {@code AWSRequestId}): our keys would arrive as one escaped
 * string. Its {@code log(byte[])} skips the formatter ("there is no formatting for byte[] messages",
 * AbstractLambdaLogger) and hands the bytes to the log sink with the function's log format (JSON)
 * in the frame header, so our own JSON object is the record. {@code JsonLogTest} runs the runtime
 * client's real logger both ways. Each line is one JSON object ending in a newline, as the
 * runtime's formatter writes its own; it carries the fields that formatter would have added
 * ({@code timestamp}, {@code level}, {@code requestId}) so the records look alike in every query.
 */
public final class JsonLog {

    private JsonLog() {
    }

    /**
     * Writes {@code value} (a record or map that serialises to a JSON object) as one log record;
     * nothing without a context or logger (tests that pass none).
     *
     * @param level INFO, WARN or ERROR: the record's {@code level} field
     */
    public static void write(Context context, Object value, String level) {
        if (context == null || context.getLogger() == null) {
            return;
        }
        context.getLogger().log(line(value, level, context.getAwsRequestId(), Instant.now())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The record's text: {@code value}'s fields after {@code timestamp}, {@code level} and {@code requestId}. */
    static String line(Object value, String level, String requestId, Instant now) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("timestamp", now.toString());
        record.put("level", level);
        if (requestId != null) {
            record.put("requestId", requestId);
        }
        if (!(Json.MAPPER.valueToTree(value) instanceof ObjectNode fields)) {
            throw new IllegalArgumentException("a log record is a JSON object, not " + value);
        }
        record.setAll(fields);
        try {
            return Json.MAPPER.writeValueAsString(record) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
