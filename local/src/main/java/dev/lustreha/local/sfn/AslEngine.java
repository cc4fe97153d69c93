package dev.lustreha.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.local.LocalAccount;
import dev.lustreha.local.Repository;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs Step Functions executions on the third-party ASL engine aws-local-stepfunctions (npm, pinned
 * in {@code local/package.json}), whose Task states invoke Lambda functions through the local
 * Lambda endpoint.
 *
 * <p>One long-lived Node process ({@code local/asl/run.mjs}) runs every execution, concurrently,
 * and answers over a line protocol on its standard input and output. It runs on the Node.js that
 * {@code npm ci} installs in {@code local/node_modules} (the engine needs Node 22; see the package
 * file), with an environment that keeps it on 127.0.0.1: the Lambda endpoint, dummy credentials,
 * a fixed region, no instance metadata service and no shared AWS config.
 */
public final class AslEngine implements ExecutionEngine, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

    private final Process node;
    private final Writer requests;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private record Pending(String executionArn, CompletableFuture<ExecutionResult> result) {
    }

    private AslEngine(Process node) {
        this.node = node;
        this.requests = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("asl-engine-replies").start(this::readReplies);
        Thread.ofPlatform().daemon().name("asl-engine-stderr").start(this::forwardStandardError);
    }

    /** Starts the engine; its Task states invoke Lambda at {@code lambdaEndpoint}. */
    public static AslEngine start(URI lambdaEndpoint) {
        Path local = Repository.file("local");
        Path nodeBinary = local.resolve("node_modules/.bin/node");
        if (!Files.isExecutable(nodeBinary)) {
            throw new IllegalStateException("no Node.js at " + nodeBinary + ": the build installs it with npm ci "
                    + "(run `mvn -pl local generate-resources`, or `npm ci` in local/)");
        }
        ProcessBuilder builder = new ProcessBuilder(nodeBinary.toString(), local.resolve("asl/run.mjs").toString())
                .directory(local.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_"));
        env.put("AWS_ENDPOINT_URL_LAMBDA", lambdaEndpoint.toString());
        // Any other service a future engine version might call lands on the same loopback endpoint,
        // which refuses it, rather than on AWS.
        env.put("AWS_ENDPOINT_URL", lambdaEndpoint.toString());
        env.put("AWS_REGION", LocalAccount.REGION);
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        // No credential or region lookups beyond the variables above: no instance metadata
        // service, no developer's ~/.aws profile.
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_CONFIG_FILE", "/dev/null");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + nodeBinary, e);
        }
        AslEngine engine = new AslEngine(process);
        try {
            engine.ready.get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            engine.close();
            throw new IllegalStateException("the ASL engine did not start (see its standard error above)", e);
        }
        return engine;
    }

    /** The version of Node.js the engine runs on. */
    public String nodeVersion() {
        return ready.join();
    }

    /**
     * Starts an execution named {@code executionName} of {@code machine} with {@code input} (JSON).
     * The future ends with the finished execution; it fails with an {@link IllegalArgumentException}
     * when the definition is invalid, as CreateStateMachine would refuse it.
     */
    @Override
    public CompletableFuture<ExecutionResult> startExecution(StateMachineDefinition machine, String executionName,
            String input, ExecutionOptions options) {
        ExecutionEngine.checkName(executionName);
        long id = ids.incrementAndGet();
        String executionArn = machine.executionArn(executionName);
        ObjectNode request = JSON.createObjectNode();
        request.put("id", id);
        request.put("definition", machine.json());
        request.set("input", readJson(input));
        // The Context Object ($$) as Step Functions fills it; the engine adds Execution.Input and StartTime.
        ObjectNode context = request.putObject("context");
        context.putObject("Execution").put("Id", executionArn).put("Name", executionName);
        context.putObject("StateMachine").put("Id", machine.arn()).put("Name", machine.name());
        request.put("timeScale", options.timeScale());
        ObjectNode waits = request.putObject("waitOverrides");
        options.waitOverrides().forEach((state, pause) -> waits.put(state, pause.toMillis()));
        ObjectNode retries = request.putObject("retryOverrides");
        options.retryOverrides().forEach((state, pause) -> retries.put(state, pause.toMillis()));

        CompletableFuture<ExecutionResult> result = new CompletableFuture<>();
        pending.put(id, new Pending(executionArn, result));
        try {
            synchronized (requests) {
                requests.write(JSON.writeValueAsString(request));
                requests.write('\n');
                requests.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            throw new UncheckedIOException("the ASL engine no longer takes requests", e);
        }
        return result;
    }

    /** Runs an execution to its end; see {@link #startExecution}. */
    public ExecutionResult execute(StateMachineDefinition machine, String executionName, String input,
            ExecutionOptions options) {
        try {
            return startExecution(machine, executionName, input, options).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException e) {
            // The engine is gone already: nothing left to tell it.
        }
        try {
            if (!node.waitFor(5, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            node.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        failPending("the ASL engine was closed");
    }

    private void readReplies() {
        try (BufferedReader replies = reader(node.getInputStream())) {
            String line;
            while ((line = replies.readLine()) != null) {
                JsonNode reply = JSON.readTree(line);
                if (reply.path("ready").asBoolean(false)) {
                    ready.complete(reply.path("node").asText());
                    continue;
                }
                Pending request = pending.remove(reply.path("id").asLong());
                if (request != null) {
                    complete(request, reply);
                }
            }
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
        }
        String exit = node.isAlive() ? "closed its output" : "exited with code " + node.exitValue();
        ready.completeExceptionally(new IllegalStateException("the ASL engine " + exit));
        failPending("the ASL engine " + exit + " (see its standard error above)");
    }

    private static void complete(Pending request, JsonNode reply) {
        String status = reply.path("status").asText();
        Optional<String> cause = text(reply, "cause");
        switch (status) {
            case "REJECTED" -> request.result().completeExceptionally(
                    new IllegalArgumentException("invalid state machine definition: " + cause.orElse("")));
            case "ENGINE_ERROR" -> request.result().completeExceptionally(
                    new IllegalStateException("the ASL engine failed: " + cause.orElse("")));
            default -> request.result().complete(new ExecutionResult(
                    request.executionArn(),
                    ExecutionStatus.valueOf(status),
                    reply.has("output") ? Optional.of(reply.get("output").toString()) : Optional.empty(),
                    text(reply, "error"),
                    cause,
                    history(reply.path("history"))));
        }
    }

    private static List<HistoryEvent> history(JsonNode events) {
        List<HistoryEvent> history = new ArrayList<>(events.size());
        for (JsonNode e : events) {
            history.add(new HistoryEvent(e.path("type").asText(), Instant.ofEpochMilli(e.path("timestamp").asLong()),
                    text(e, "state"), text(e, "error"), text(e, "cause")));
        }
        return history;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private void forwardStandardError() {
        try (BufferedReader lines = reader(node.getErrorStream())) {
            String line;
            while ((line = lines.readLine()) != null) {
                System.err.println("[asl-engine] " + line);
            }
        } catch (IOException e) {
            // The process is gone; its replies reader reports that.
        }
    }

    private void failPending(String why) {
        for (Long id : List.copyOf(pending.keySet())) {
            Pending request = pending.remove(id);
            if (request != null) {
                request.result().completeExceptionally(new IllegalStateException(why));
            }
        }
    }

    private static JsonNode readJson(String json) {
        try {
            JsonNode value = JSON.readTree(json);
            if (value.isMissingNode()) {
                throw new IllegalArgumentException("execution input is empty: give at least {}");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("execution input is not JSON: " + json, e);
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
