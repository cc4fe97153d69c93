package dev.lustreha.local.sfn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.SimClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An in-JVM executor of the Amazon States Language subset lustre-ha's state machines use, run on
 * the simulated cloud's virtual time: every state is a step scheduled on the {@link SimClock}, so a
 * whole simulation runs on one thread in one order and a seed replays to the same run.
 *
 * <p>The subset, with Step Functions' semantics (JSONPath query language):
 * <ul>
 *   <li>{@code Task} with a Lambda function ARN as {@code Resource}: the state's input is the
 *       payload, the function's output replaces it (no {@code ResultPath} on Tasks). A function error
 *       is the error named by its {@code errorType}, with the error document as {@code Cause}.
 *   <li>{@code Retry}: {@code ErrorEquals} (names, {@code States.ALL}, {@code States.TaskFailed}),
 *       {@code IntervalSeconds} (1), {@code MaxAttempts} (3), {@code BackoffRate} (2),
 *       {@code MaxDelaySeconds}, {@code JitterStrategy} NONE|FULL; the first retrier whose names match
 *       decides, each counting its own attempts for one entry into the state.
 *   <li>{@code Catch} with {@code ResultPath} ({@code {"Error", "Cause"}} put into the state's input).
 *   <li>{@code Choice} with {@code Variable} and {@code StringEquals} / {@code BooleanEquals}, and
 *       {@code Default}; {@code Wait} with {@code Seconds} or {@code SecondsPath}; {@code Succeed};
 *       {@code Fail} with {@code Error} and {@code Cause}.
 * </ul>
 * Anything else in a definition is refused when an execution starts, never silently ignored.
 * {@code States.Runtime} (a path that does not resolve, a bad wait) fails the execution and cannot
 * be retried or caught, as in Step Functions.
 *
 * <p>Each Task invocation takes a sampled latency of virtual time (Step Functions' dispatch and
 * the function's run); the function itself runs in no virtual time. A {@link TaskInterceptor} sees
 * every invocation: the way simulations inject faults into a running workflow.
 */
public final class VirtualStepFunctions implements ExecutionEngine {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATES_ALL = "States.ALL";
    private static final String TASK_FAILED = "States.TaskFailed";
    private static final String RUNTIME = "States.Runtime";

    private static final Set<String> TOP_LEVEL = Set.of("Comment", "StartAt", "States");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "Task", Set.of("Type", "Comment", "Resource", "Retry", "Catch", "Next", "End"),
            "Choice", Set.of("Type", "Comment", "Choices", "Default"),
            "Wait", Set.of("Type", "Comment", "Seconds", "SecondsPath", "Next", "End"),
            "Succeed", Set.of("Type", "Comment"),
            "Fail", Set.of("Type", "Comment", "Error", "Cause"));
    private static final Set<String> RETRIER = Set.of("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
            "MaxDelaySeconds", "JitterStrategy");
    private static final Set<String> CATCHER = Set.of("ErrorEquals", "ResultPath", "Next");
    private static final Set<String> CHOICE_RULE = Set.of("Variable", "StringEquals", "BooleanEquals", "Next");

    /** Calls a Task's Lambda function. */
    @FunctionalInterface
    public interface Invoker {
        TaskResult invoke(String resource, String input);
    }

    /** What a Task's function gave back: its output, or an error name with its cause. */
    public record TaskResult(String output, String error, String cause) {

        public static TaskResult output(String json) {
            return new TaskResult(json, null, null);
        }

        public static TaskResult failed(String error, String cause) {
            return new TaskResult(null, error, cause);
        }

        public boolean failed() {
            return error != null;
        }
    }

    /** One Task invocation about to happen. */
    public record TaskCall(String machine, String execution, String state, String resource, String input) {

        public TaskCall withInput(String newInput) {
            return new TaskCall(machine, execution, state, resource, newInput);
        }
    }

    /** Sees every Task invocation, and may change its input or its result (or act around it). */
    @FunctionalInterface
    public interface TaskInterceptor {
        TaskResult invoke(TaskCall call, Invoker next);

        TaskInterceptor NONE = (call, next) -> next.invoke(call.resource(), call.input());
    }

    private final SimClock clock;
    private final Invoker invoker;
    private final Random random;
    private final Latency.Range taskLatency;
    private volatile TaskInterceptor interceptor = TaskInterceptor.NONE;

    /**
     * @param random the simulation's one seeded source (jitter and latencies), used on the clock's thread only
     * @param taskLatency how long each Task invocation takes, in virtual time
     */
    public VirtualStepFunctions(SimClock clock, Invoker invoker, Random random, Latency.Range taskLatency) {
        this.clock = clock;
        this.invoker = invoker;
        this.random = random;
        this.taskLatency = taskLatency;
    }

    public void intercept(TaskInterceptor interceptor) {
        this.interceptor = interceptor;
    }

    @Override
    public CompletableFuture<ExecutionResult> startExecution(StateMachineDefinition machine, String executionName,
            String input, ExecutionOptions options) {
        ExecutionEngine.checkName(executionName);
        JsonNode definition;
        JsonNode document;
        try {
            definition = JSON.readTree(machine.json());
            document = JSON.readTree(input);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not JSON: " + e.getOriginalMessage()));
        }
        try {
            validate(definition);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        Run run = new Run(machine, executionName, definition.get("States"), options);
        synchronized (clock) {
            run.event("ExecutionStarted", null, null, null);
            run.enter(definition.get("StartAt").asText(), document, Duration.ZERO);
        }
        return run.result;
    }

    // ------------------------------------------------------------------ validation

    static void validate(JsonNode definition) {
        require(definition.isObject(), "a definition is a JSON object");
        fieldsOf(definition, TOP_LEVEL, "the definition");
        JsonNode states = definition.path("States");
        require(states.isObject() && !states.isEmpty(), "States must be a non-empty object");
        require(states.has(definition.path("StartAt").asText()), "StartAt names no state");
        for (Iterator<Map.Entry<String, JsonNode>> it = states.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode state = e.getValue();
            String type = state.path("Type").asText();
            Set<String> allowed = FIELDS.get(type);
            require(allowed != null, "state " + name + ": type " + type + " is not supported here");
            fieldsOf(state, allowed, "state " + name);
            if (state.has("Next")) {
                require(states.has(state.get("Next").asText()), "state " + name + ": Next names no state");
            }
            if (type.equals("Task") || type.equals("Wait")) {
                require(state.has("Next") != state.path("End").asBoolean(false),
                        "state " + name + ": exactly one of Next and End");
            }
            for (JsonNode retrier : state.path("Retry")) {
                fieldsOf(retrier, RETRIER, "state " + name + " retrier");
                require(retrier.path("ErrorEquals").isArray() && !retrier.path("ErrorEquals").isEmpty(),
                        "state " + name + ": a retrier needs ErrorEquals");
                String jitter = retrier.path("JitterStrategy").asText("NONE");
                require(jitter.equals("NONE") || jitter.equals("FULL"), "state " + name + ": JitterStrategy " + jitter);
            }
            for (JsonNode catcher : state.path("Catch")) {
                fieldsOf(catcher, CATCHER, "state " + name + " catcher");
                require(states.has(catcher.path("Next").asText()), "state " + name + ": a catcher's Next names no state");
                require(catcher.path("ErrorEquals").isArray() && !catcher.path("ErrorEquals").isEmpty(),
                        "state " + name + ": a catcher needs ErrorEquals");
            }
            for (JsonNode rule : state.path("Choices")) {
                fieldsOf(rule, CHOICE_RULE, "state " + name + " choice rule");
                require(rule.has("Variable") && (rule.has("StringEquals") != rule.has("BooleanEquals")),
                        "state " + name + ": a choice rule needs Variable and one comparison");
                require(states.has(rule.path("Next").asText()), "state " + name + ": a choice rule's Next names no state");
            }
            if (type.equals("Choice")) {
                require(state.path("Choices").isArray() && !state.path("Choices").isEmpty(),
                        "state " + name + ": Choices must be a non-empty array");
                require(!state.has("Default") || states.has(state.get("Default").asText()),
                        "state " + name + ": Default names no state");
            }
            if (type.equals("Wait")) {
                require(state.has("Seconds") != state.has("SecondsPath"), "state " + name + ": one of Seconds, SecondsPath");
            }
        }
    }

    private static void fieldsOf(JsonNode node, Set<String> allowed, String where) {
        node.fieldNames().forEachRemaining(f -> require(allowed.contains(f), where + ": field " + f + " is not supported here"));
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException("definition refused: " + problem);
        }
    }

    // ------------------------------------------------------------------ execution

    /** A failure a state ends with: a name and a cause. */
    private record Failure(String error, String cause) {
    }

    /** One execution. Every method runs on the clock's thread, holding its lock. */
    private final class Run {
        final StateMachineDefinition machine;
        final String name;
        final JsonNode states;
        final ExecutionOptions options;
        final List<HistoryEvent> history = new ArrayList<>();
        final CompletableFuture<ExecutionResult> result = new CompletableFuture<>();

        Run(StateMachineDefinition machine, String name, JsonNode states, ExecutionOptions options) {
            this.machine = machine;
            this.name = name;
            this.states = states;
            this.options = options;
        }

        void event(String type, String state, String error, String cause) {
            history.add(new HistoryEvent(type, clock.now(), Optional.ofNullable(state), Optional.ofNullable(error),
                    Optional.ofNullable(cause)));
        }

        void enter(String state, JsonNode input, Duration after) {
            clock.schedule(after, name + " " + state, () -> {
                event(HistoryEvent.STATE_ENTERED, state, null, null);
                attempt(state, input, new HashMap<>());
            });
        }

        /** Runs {@code state} once; {@code attempts} counts each retrier's retries for this entry. */
        void attempt(String stateName, JsonNode input, Map<Integer, Integer> attempts) {
            JsonNode state = states.get(stateName);
            switch (state.get("Type").asText()) {
                case "Task" -> {
                    Duration latency = taskLatency.sample(random);
                    clock.schedule(latency, name + " " + stateName + " invoke", () -> {
                        TaskCall call = new TaskCall(machine.name(), name, stateName, state.get("Resource").asText(),
                                input.toString());
                        TaskResult r;
                        try {
                            r = interceptor.invoke(call, invoker);
                        } catch (RuntimeException e) {
                            r = TaskResult.failed("Lambda.ServiceException", e.toString());
                        }
                        if (!r.failed()) {
                            try {
                                next(stateName, state, JSON.readTree(r.output()));
                            } catch (JsonProcessingException e) {
                                fail(stateName, new Failure(RUNTIME, "the function's output is not JSON: " + r.output()));
                            }
                        } else {
                            failed(stateName, state, input, attempts, new Failure(r.error(), r.cause()));
                        }
                    });
                }
                case "Choice" -> {
                    for (JsonNode rule : state.get("Choices")) {
                        Optional<JsonNode> value = read(input, rule.get("Variable").asText());
                        if (value.isEmpty()) {
                            fail(stateName, new Failure(RUNTIME, "Invalid path '" + rule.get("Variable").asText()
                                    + "': The choice state's condition path references an invalid value."));
                            return;
                        }
                        if (matches(rule, value.get())) {
                            exit(stateName);
                            enter(rule.get("Next").asText(), input, Duration.ZERO);
                            return;
                        }
                    }
                    if (!state.has("Default")) {
                        fail(stateName, new Failure("States.NoChoiceMatched", "No Choice Rule matched and no Default"));
                        return;
                    }
                    exit(stateName);
                    enter(state.get("Default").asText(), input, Duration.ZERO);
                }
                case "Wait" -> {
                    Duration wait;
                    if (options.waitOverrides().containsKey(stateName)) {
                        wait = options.waitOverrides().get(stateName);
                    } else {
                        JsonNode seconds = state.has("Seconds") ? state.get("Seconds")
                                : read(input, state.get("SecondsPath").asText()).orElse(null);
                        if (seconds == null || !seconds.canConvertToLong() || seconds.asLong() < 0) {
                            fail(stateName, new Failure(RUNTIME, "Wait " + stateName + ": seconds must be a non-negative "
                                    + "integer, not " + seconds));
                            return;
                        }
                        wait = scaled(seconds.asLong() * 1000.0);
                    }
                    clock.schedule(wait, name + " " + stateName + " waited", () -> next(stateName, state, input));
                }
                case "Succeed" -> {
                    exit(stateName);
                    event("ExecutionSucceeded", null, null, null);
                    complete(ExecutionStatus.SUCCEEDED, input.toString(), null, null);
                }
                case "Fail" -> fail(stateName, new Failure(state.path("Error").asText(null), state.path("Cause").asText(null)));
                default -> throw new IllegalStateException("validated away: " + state.get("Type"));
            }
        }

        void next(String stateName, JsonNode state, JsonNode output) {
            exit(stateName);
            if (state.has("Next")) {
                enter(state.get("Next").asText(), output, Duration.ZERO);
            } else {
                event("ExecutionSucceeded", null, null, null);
                complete(ExecutionStatus.SUCCEEDED, output.toString(), null, null);
            }
        }

        void exit(String state) {
            event("StateExited", state, null, null);
        }

        void failed(String stateName, JsonNode state, JsonNode input, Map<Integer, Integer> attempts, Failure f) {
            event("StateFailed", stateName, f.error(), f.cause());
            if (!f.error().equals(RUNTIME)) {
                JsonNode retriers = state.path("Retry");
                for (int i = 0; i < retriers.size(); i++) {
                    JsonNode retrier = retriers.get(i);
                    if (!names(retrier.get("ErrorEquals"), f.error())) {
                        continue;
                    }
                    int done = attempts.getOrDefault(i, 0);
                    if (done < retrier.path("MaxAttempts").asInt(3)) {
                        attempts.put(i, done + 1);
                        event(HistoryEvent.STATE_RETRIED, stateName, f.error(), f.cause());
                        clock.schedule(retryPause(stateName, retrier, done), name + " " + stateName + " retry",
                                () -> attempt(stateName, input, attempts));
                        return;
                    }
                    break; // the first matching retrier decides, even when it is exhausted
                }
                for (JsonNode catcher : state.path("Catch")) {
                    if (names(catcher.get("ErrorEquals"), f.error())) {
                        event("StateCaught", stateName, f.error(), f.cause());
                        ObjectNode error = JsonNodeFactory.instance.objectNode();
                        error.put("Error", f.error());
                        error.put("Cause", f.cause());
                        JsonNode next;
                        try {
                            next = write(input, catcher.path("ResultPath").asText("$"), error);
                        } catch (IllegalArgumentException e) {
                            fail(stateName, new Failure(RUNTIME, e.getMessage()));
                            return;
                        }
                        enter(catcher.get("Next").asText(), next, Duration.ZERO);
                        return;
                    }
                }
            }
            fail(stateName, f);
        }

        Duration retryPause(String stateName, JsonNode retrier, int done) {
            if (options.retryOverrides().containsKey(stateName)) {
                return options.retryOverrides().get(stateName);
            }
            double seconds = retrier.path("IntervalSeconds").asDouble(1)
                    * Math.pow(retrier.path("BackoffRate").asDouble(2), done);
            if (retrier.has("MaxDelaySeconds")) {
                seconds = Math.min(seconds, retrier.get("MaxDelaySeconds").asDouble());
            }
            if ("FULL".equals(retrier.path("JitterStrategy").asText())) {
                seconds = random.nextDouble() * seconds;
            }
            return scaled(seconds * 1000);
        }

        Duration scaled(double millis) {
            return Duration.ofMillis(Math.round(millis * options.timeScale()));
        }

        void fail(String stateName, Failure f) {
            if (history.isEmpty() || !history.get(history.size() - 1).type().equals("StateFailed")) {
                event("StateFailed", stateName, f.error(), f.cause());
            }
            event("ExecutionFailed", null, f.error(), f.cause());
            complete(ExecutionStatus.FAILED, null, f.error(), f.cause());
        }

        void complete(ExecutionStatus status, String output, String error, String cause) {
            result.complete(new ExecutionResult(machine.executionArn(name), status, Optional.ofNullable(output),
                    Optional.ofNullable(error), Optional.ofNullable(cause), history));
        }
    }

    private static boolean names(JsonNode errorEquals, String error) {
        for (JsonNode n : errorEquals) {
            String name = n.asText();
            if (name.equals(error) || name.equals(STATES_ALL) || (name.equals(TASK_FAILED) && !error.equals("States.Timeout"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(JsonNode rule, JsonNode value) {
        if (rule.has("StringEquals")) {
            return value.isTextual() && value.asText().equals(rule.get("StringEquals").asText());
        }
        return value.isBoolean() && value.asBoolean() == rule.get("BooleanEquals").asBoolean();
    }

    // ------------------------------------------------------------------ JSONPath ($ and $.a.b only)

    private static List<String> segments(String path) {
        if (path.equals("$")) {
            return List.of();
        }
        if (!path.startsWith("$.") || path.contains("[") || path.contains("..") || path.endsWith(".")) {
            throw new IllegalArgumentException("only $ and $.field.field paths are supported here: " + path);
        }
        return List.of(path.substring(2).split("\\."));
    }

    static Optional<JsonNode> read(JsonNode document, String path) {
        JsonNode node = document;
        for (String s : segments(path)) {
            if (!node.isObject() || !node.has(s)) {
                return Optional.empty();
            }
            node = node.get(s);
        }
        return Optional.of(node);
    }

    /** The document with {@code value} at {@code path}, objects made on the way ({@code ResultPath}). */
    static JsonNode write(JsonNode document, String path, JsonNode value) {
        List<String> segments = segments(path);
        if (segments.isEmpty()) {
            return value;
        }
        JsonNode copy = document.deepCopy();
        if (!copy.isObject()) {
            throw new IllegalArgumentException("ResultPath " + path + " needs an object input");
        }
        ObjectNode node = (ObjectNode) copy;
        for (String s : segments.subList(0, segments.size() - 1)) {
            JsonNode child = node.get(s);
            if (child == null || !child.isObject()) {
                child = node.putObject(s);
            }
            node = (ObjectNode) child;
        }
        node.set(segments.get(segments.size() - 1), value);
        return copy;
    }
}
