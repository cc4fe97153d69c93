package dev.lustreha.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

class LocalLambdaIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:";

    private final List<String> log = new CopyOnWriteArrayList<>();
    private LocalLambda lambda;
    private LambdaClient client;

    @BeforeEach
    void start() {
        lambda = LocalLambda.start(log::add)
                .register("Echo", new EchoHandler(), Duration.ofSeconds(30))
                .register("Failing", new FailingHandler());
        client = LambdaClient.builder()
                .endpointOverride(lambda.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        lambda.close();
    }

    @Test
    void listensOnLoopbackOnly() {
        assertEquals("127.0.0.1", lambda.endpoint().getHost());
    }

    @Test
    void invokesByNameArnAndQualifiedArn() throws IOException {
        for (String name : List.of("Echo", ARN + "Echo", ARN + "Echo:live", "Echo:live", "000000000000:function:Echo")) {
            InvokeResponse response = client.invoke(r -> r.functionName(name).payload(SdkBytes.fromUtf8String("{\"n\":1}")));
            assertEquals(200, response.statusCode(), name);
            assertNull(response.functionError(), name);
            assertEquals("$LATEST", response.executedVersion());
            JsonNode echoed = JSON.readTree(response.payload().asByteArray());
            assertEquals(1, echoed.path("event").path("n").asInt(), name);
            assertEquals("Echo", echoed.path("functionName").asText());
            String expectedArn = name.endsWith(":live") ? ARN + "Echo:live" : ARN + "Echo";
            assertEquals(expectedArn, echoed.path("invokedFunctionArn").asText(), name);
            assertEquals(response.responseMetadata().requestId(), echoed.path("requestId").asText());
            int remaining = echoed.path("remainingTimeInMillis").asInt();
            assertTrue(remaining > 29_000 && remaining <= 30_000, "remaining time " + remaining);
            assertEquals(1024, echoed.path("memoryLimitInMB").asInt());
        }
        InvokeResponse byQualifierParameter = client.invoke(r -> r.functionName("Echo").qualifier("live")
                .payload(SdkBytes.fromUtf8String("{}")));
        assertEquals(ARN + "Echo:live", JSON.readTree(byQualifierParameter.payload().asByteArray())
                .path("invokedFunctionArn").asText());

        List<Invocation> invocations = lambda.invocations("Echo");
        assertEquals(6, invocations.size());
        assertTrue(invocations.stream().allMatch(i -> i.outcome() == Invocation.Outcome.SUCCEEDED));
        assertEquals(3, invocations.stream().filter(i -> i.function().qualifier().isPresent()).count());
        assertTrue(log.contains("[Echo " + invocations.get(0).requestId() + "] echo"), log.toString());
    }

    @Test
    void answersAThrownExceptionAsTheJavaRuntimeDoes() throws IOException {
        InvokeResponse response = client.invoke(r -> r.functionName(ARN + "Failing").payload(SdkBytes.fromUtf8String("{}")));

        assertEquals(200, response.statusCode());
        assertEquals("Unhandled", response.functionError());
        JsonNode error = JSON.readTree(response.payload().asByteArray());
        List<String> fields = new ArrayList<>();
        error.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("errorMessage", "errorType", "stackTrace"), fields);
        assertEquals("no disk for role mgs", error.path("errorMessage").asText());
        assertEquals(VolumeMissingException.class.getName(), error.path("errorType").asText());
        List<String> frames = JSON.convertValue(error.path("stackTrace"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        assertFalse(frames.isEmpty());
        assertTrue(frames.get(0).startsWith(FailingHandler.class.getName() + ".handleRequest(LocalLambdaIT.java:"), frames.get(0));
        assertTrue(frames.stream().noneMatch(f -> f.startsWith(LocalLambda.class.getName() + ".") || f.contains("httpserver")),
                "the endpoint's own frames are cut, as the runtime cuts its own: " + frames);

        Invocation invocation = lambda.invocations("Failing").get(0);
        assertEquals(Invocation.Outcome.FUNCTION_ERROR, invocation.outcome());
        assertEquals(VolumeMissingException.class.getName(), invocation.errorType().orElseThrow());
        assertTrue(log.stream().anyMatch(l -> l.endsWith(VolumeMissingException.class.getName() + ": no disk for role mgs")));
    }

    @Test
    void answersAnUnknownFunctionWithResourceNotFound() throws Exception {
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class,
                () -> client.invoke(r -> r.functionName(ARN + "Nobody:live").payload(SdkBytes.fromUtf8String("{}"))));
        assertEquals(404, e.statusCode());
        assertEquals("ResourceNotFoundException", e.awsErrorDetails().errorCode());
        assertEquals("Function not found: " + ARN + "Nobody:live", e.awsErrorDetails().errorMessage());

        // The wire shape, which every SDK parses: the error code in a header, the message in the body.
        HttpResponse<String> raw;
        try (HttpClient http = HttpClient.newHttpClient()) {
            raw = http.send(HttpRequest.newBuilder(URI.create(lambda.endpoint() + "/2015-03-31/functions/Nobody/invocations"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(404, raw.statusCode());
        assertEquals("ResourceNotFoundException", raw.headers().firstValue("x-amzn-ErrorType").orElseThrow());
        assertEquals(JSON.readTree("{\"Type\":\"User\",\"Message\":\"Function not found: " + ARN + "Nobody\"}"),
                JSON.readTree(raw.body()));
        assertEquals(List.of(), lambda.invocations());
    }

    @Test
    void refusesWhatLambdaRefuses() {
        assertThrows(InvalidRequestContentException.class,
                () -> client.invoke(r -> r.functionName("Echo").payload(SdkBytes.fromUtf8String("not json"))));
        assertThrows(InvalidParameterValueException.class, () -> client.invoke(r -> r.functionName("Echo")
                .invocationType(InvocationType.EVENT).payload(SdkBytes.fromUtf8String("{}"))));
        assertEquals(List.of(), lambda.invocations());
    }

    @Test
    void servesConcurrentInvocations() throws Exception {
        lambda.register("Slow", (in, out, context) -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write("\"done\"".getBytes());
        });
        long t0 = System.nanoTime();
        try (ExecutorService callers = Executors.newFixedThreadPool(16)) {
            List<Future<InvokeResponse>> calls = IntStream.range(0, 16)
                    .mapToObj(i -> callers.submit(() -> client.invoke(r -> r.functionName("Slow"))))
                    .toList();
            for (Future<InvokeResponse> call : calls) {
                assertEquals("\"done\"", call.get().payload().asUtf8String());
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals(16, lambda.invocations("Slow").size());
        assertTrue(elapsed.compareTo(Duration.ofMillis(16 * 200 / 2)) < 0, "16 invocations of 200 ms took " + elapsed);
    }

    /** Echoes its event and what its Context says. */
    static final class EchoHandler implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
            context.getLogger().log("echo");
            ObjectNode reply = JSON.createObjectNode();
            reply.set("event", JSON.readTree(input));
            reply.put("functionName", context.getFunctionName());
            reply.put("invokedFunctionArn", context.getInvokedFunctionArn());
            reply.put("requestId", context.getAwsRequestId());
            reply.put("remainingTimeInMillis", context.getRemainingTimeInMillis());
            reply.put("memoryLimitInMB", context.getMemoryLimitInMB());
            JSON.writeValue(output, reply);
        }
    }

    static final class FailingHandler implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) {
            throw new VolumeMissingException("no disk for role mgs");
        }
    }
}
