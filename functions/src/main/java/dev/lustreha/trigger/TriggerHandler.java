package dev.lustreha.trigger;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Json;
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

    private final Function<JsonNode, TriggerResult> trigger;

    protected TriggerHandler(Function<JsonNode, TriggerResult> trigger) {
        this.trigger = trigger;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] body = input.readAllBytes();
        TriggerResult result;
        try {
            result = trigger.apply(Json.MAPPER.readTree(body));
        } catch (JsonProcessingException e) {
            result = TriggerResult.rejected("not JSON: " + e.getOriginalMessage());
        }
        String line = Json.MAPPER.writeValueAsString(result);
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(line + "\n");
        }
        output.write(line.getBytes(StandardCharsets.UTF_8));
    }
}
