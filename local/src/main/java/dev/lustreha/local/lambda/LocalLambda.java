package dev.lustreha.local.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API on 127.0.0.1, dispatching to handler objects in this JVM: what the AWS SDKs
 * (ours, and the ASL engine's through {@code AWS_ENDPOINT_URL_LAMBDA}) call instead of Lambda.
 *
 * <p>It answers like Lambda: 200 with the handler's output; 200 with {@code X-Amz-Function-Error:
 * Unhandled} and the Java runtime's error document ({@link FunctionError}) when the handler throws;
 * 404 {@code ResourceNotFoundException} for a function nobody registered. Not modelled: versions and
 * aliases (any qualifier reaches the one registered handler), asynchronous and dry-run invocation
 * types (refused), and timeouts (the {@code Context} counts the remaining time down, but a handler
 * that overruns it is not stopped: a Java thread cannot be killed safely). Lambda runs one
 * invocation at a time per execution environment; here one handler object serves concurrent
 * invocations, so handlers must be thread safe, as lustre-ha's stateless handlers are.
 *
 * <p>Every dispatched invocation is recorded, for tests and benchmarks to count.
 */
public final class LocalLambda implements AutoCloseable {

    /** What {@code template.yaml} gives every function (Globals): the Context reports these unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MEMORY_MB = 1024;

    private static final Pattern INVOKE_PATH = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI endpoint;
    private final Consumer<String> logSink;
    private final Map<String, LocalFunction> functions = new ConcurrentHashMap<>();
    private final Queue<Invocation> invocations = new ConcurrentLinkedQueue<>();

    private LocalLambda(HttpServer server, ExecutorService executor, Consumer<String> logSink) {
        this.server = server;
        this.executor = executor;
        this.logSink = logSink;
        this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts an endpoint whose handlers log to standard error. */
    public static LocalLambda start() {
        return start(System.err::println);
    }

    /** Starts an endpoint on a free port of 127.0.0.1; handlers' log lines go to {@code logSink}. */
    public static LocalLambda start(Consumer<String> logSink) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
        // Invocations block for as long as their handler runs: one virtual thread each keeps
        // concurrent invocations from queueing behind one another.
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        LocalLambda lambda = new LocalLambda(server, executor, logSink);
        server.createContext("/", lambda::serve);
        server.start();
        return lambda;
    }

    /** Serves {@code handler} as function {@code name}, with the template's default timeout and memory. */
    public LocalLambda register(String name, RequestStreamHandler handler) {
        return register(name, handler, DEFAULT_TIMEOUT);
    }

    /**
     * Serves {@code handler} as function {@code name} (the function's logical id in the template),
     * replacing any handler registered under that name before.
     */
    public LocalLambda register(String name, RequestStreamHandler handler, Duration timeout) {
        FunctionName function = FunctionName.parse(name);
        if (function.qualifier().isPresent() || !function.name().equals(name)) {
            throw new IllegalArgumentException("register a function by its plain name, not " + name);
        }
        functions.put(name, new LocalFunction(handler, timeout, DEFAULT_MEMORY_MB));
        return this;
    }

    /** Where to point a Lambda client ({@code endpointOverride}, {@code AWS_ENDPOINT_URL_LAMBDA}). */
    public URI endpoint() {
        return endpoint;
    }

    /** Every invocation dispatched so far, in the order they ended. */
    public List<Invocation> invocations() {
        return List.copyOf(invocations);
    }

    /** The invocations of function {@code name}, whatever qualifier they were made with. */
    public List<Invocation> invocations(String name) {
        return invocations.stream().filter(i -> i.function().name().equals(name)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestId = UUID.randomUUID().toString();
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            Matcher path = INVOKE_PATH.matcher(exchange.getRequestURI().getRawPath());
            if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
                sendError(exchange, 404, "UnknownOperationException",
                        "the local Lambda endpoint serves Invoke only, not " + exchange.getRequestMethod() + " "
                                + exchange.getRequestURI().getRawPath());
                return;
            }
            FunctionName function;
            try {
                function = withQueryQualifier(FunctionName.parse(URLDecoder.decode(path.group(1), StandardCharsets.UTF_8)),
                        exchange.getRequestURI().getRawQuery());
            } catch (IllegalArgumentException e) {
                sendError(exchange, 400, "ValidationException", e.getMessage());
                return;
            }
            String invocationType = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
            if (invocationType != null && !"RequestResponse".equals(invocationType)) {
                sendError(exchange, 400, "InvalidParameterValueException",
                        "the local Lambda endpoint serves RequestResponse invocations only, not " + invocationType);
                return;
            }
            LocalFunction target = function.isLocal() ? functions.get(function.name()) : null;
            if (target == null) {
                sendError(exchange, 404, "ResourceNotFoundException", "Function not found: " + function.arn());
                return;
            }
            byte[] payload = readAll(exchange.getRequestBody());
            if (payload.length > 0 && !isJson(payload)) {
                sendError(exchange, 400, "InvalidRequestContentException", "Could not parse request body into json");
                return;
            }
            invoke(exchange, requestId, function, target, payload);
        }
    }

    /**
     * What an invocation returned: the handler's output, or the function error it threw.
     *
     * @param payload the response payload: the handler's output, or the error document for a function error
     */
    public record Response(byte[] payload, Optional<FunctionError> error) {
    }

    /**
     * Invokes {@code functionName} (a plain name or an ARN, any qualifier) in this thread, without
     * HTTP: how the in-JVM state machine engine calls Lambda. Recorded like any other invocation.
     *
     * @throws IllegalArgumentException when no such function is registered (Lambda's ResourceNotFound)
     */
    public Response invoke(String functionName, byte[] payload) {
        FunctionName function = FunctionName.parse(functionName);
        LocalFunction target = function.isLocal() ? functions.get(function.name()) : null;
        if (target == null) {
            throw new IllegalArgumentException("Function not found: " + function.arn());
        }
        return dispatch(UUID.randomUUID().toString(), function, target, payload);
    }

    private void invoke(HttpExchange exchange, String requestId, FunctionName function, LocalFunction target,
            byte[] payload) throws IOException {
        Response response = dispatch(requestId, function, target, payload);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Amz-Executed-Version", LocalContext.VERSION);
        if (response.error().isPresent()) {
            exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
        }
        send(exchange, 200, response.payload());
    }

    private Response dispatch(String requestId, FunctionName function, LocalFunction target, byte[] payload) {
        LocalContext context = new LocalContext(requestId, function, target, logSink);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Instant start = Instant.now();
        long t0 = System.nanoTime();
        Optional<FunctionError> error;
        try {
            target.handler().handleRequest(new ByteArrayInputStream(payload), output, context);
            error = Optional.empty();
        } catch (Throwable thrown) {
            // The Java runtime reports whatever a handler throws, errors included, as a function error.
            error = Optional.of(FunctionError.of(thrown, LocalLambda.class));
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - t0);
        invocations.add(new Invocation(requestId, function, start, duration,
                error.isEmpty() ? Invocation.Outcome.SUCCEEDED : Invocation.Outcome.FUNCTION_ERROR,
                error.map(FunctionError::errorType)));
        if (error.isEmpty()) {
            return new Response(output.toByteArray(), error);
        }
        // Like the runtime, which logs an unhandled error to the function's log before replying.
        context.getLogger().log(error.get().errorType() + ": " + error.get().errorMessage());
        try {
            return new Response(JSON.writeValueAsBytes(error.get()), error);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an error document", e);
        }
    }

    /** Folds the {@code Qualifier} query parameter into the name; Lambda refuses two different qualifiers. */
    private static FunctionName withQueryQualifier(FunctionName function, String rawQuery) {
        if (rawQuery == null) {
            return function;
        }
        for (String parameter : rawQuery.split("&")) {
            if (parameter.startsWith("Qualifier=")) {
                String qualifier = URLDecoder.decode(parameter.substring("Qualifier=".length()), StandardCharsets.UTF_8);
                if (function.qualifier().isPresent() && !function.qualifier().get().equals(qualifier)) {
                    throw new IllegalArgumentException(
                            "The derived qualifier from the function name does not match the specified qualifier.");
                }
                return new FunctionName(function.region(), function.accountId(), function.name(), Optional.of(qualifier));
            }
        }
        return function;
    }

    /** Lambda's error document for a request it refuses: the error code in a header, the message in the body. */
    private static void sendError(HttpExchange exchange, int status, String errorType, String message) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        send(exchange, status, JSON.writeValueAsBytes(Map.of("Type", "User", "Message", message)));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        // A length of -1 tells HttpServer there is no body; 0 would mean "chunked".
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static boolean isJson(byte[] payload) {
        try {
            JSON.readTree(payload);
            return true;
        } catch (JsonProcessingException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
