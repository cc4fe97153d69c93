package dev.lustreha.trigger;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.lustreha.config.Json;
import dev.lustreha.observe.JsonLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * An EventBridge-invoked trigger: decode, handle, log one JSON line, answer. A malformed body is
 * rejected (retrying it cannot help); a failure to reach AWS propagates, so EventBridge retries
 * the event and nothing is lost.
 */
public abstract class TriggerHandler implements RequestStreamHandler {

    /**
     * One JSON document, read strictly: content after it, or a key given twice, makes the body
     * malformed. EventBridge sends neither, and acting on the first of two documents, or on one of
     * a field's two values, would be acting on a body nobody can read one way only.
     */
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Function<JsonNode, TriggerResult> trigger;

    protected TriggerHandler(Function<JsonNode, TriggerResult> trigger) {
        this.trigger = trigger;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] body = input.readAllBytes();
        TriggerResult result;
        try {
            result = trigger.apply(READER.readTree(body));
        } catch (IOException e) {
            // Only the read throws this, and the body is in memory: not a failure to reach anything,
            // a body that does not decode. Not only JsonProcessingException: bytes taken for UTF-32
            // that are no character give a CharConversionException.
            result = TriggerResult.rejected("not JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        JsonLog.write(context, result, "INFO");
        // Through a String: a lone surrogate quoted from a bad event becomes '?', so the answer is
        // valid UTF-8 (Jackson's byte writer would not guarantee that; TriggerFuzzTest checks it).
        output.write(Json.MAPPER.writeValueAsString(result).getBytes(StandardCharsets.UTF_8));
    }
}
