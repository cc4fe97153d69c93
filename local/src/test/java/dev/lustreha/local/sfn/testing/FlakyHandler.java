package dev.lustreha.local.sfn.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fails its first {@code failures} calls for a {@code key} with a {@link FlakyException}, then
 * answers {@code {"ok": true, "attempts": n}}; with {@code "fatal": true} it throws an
 * {@link IllegalStateException}, which no retrier of the smoke machine names.
 */
public final class FlakyHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = JSON.readTree(input);
        String key = event.path("key").asText();
        if (event.path("fatal").asBoolean(false)) {
            throw new IllegalStateException("no way forward for " + key);
        }
        int attempt = calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (attempt <= event.path("failures").asInt()) {
            throw new FlakyException("attempt " + attempt + " for " + key + " failed");
        }
        JSON.writeValue(output, Map.of("ok", true, "attempts", attempt));
    }
}
