package dev.lustreha.local.sfn.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** The recovery step: reports the error the Catch put at {@code $.error}. */
public final class RecoverHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode error = JSON.readTree(input).path("error");
        JSON.writeValue(output, Map.of("recoveredFrom", error.path("Error").asText(),
                "cause", error.path("Cause").asText()));
    }
}
