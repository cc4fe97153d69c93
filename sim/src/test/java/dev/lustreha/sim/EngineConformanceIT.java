package dev.lustreha.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.errors.AwsUnavailableException;
import dev.lustreha.errors.ResourceHeldException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.local.Repository;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.SimClock;
import dev.lustreha.local.lambda.LocalLambda;
import dev.lustreha.local.sfn.AslEngine;
import dev.lustreha.local.sfn.DefinitionSubstitutions;
import dev.lustreha.local.sfn.ExecutionOptions;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.HistoryEvent;
import dev.lustreha.local.sfn.StateMachineDefinition;
import dev.lustreha.local.sfn.VirtualStepFunctions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The in-JVM executor against aws-local-stepfunctions, state by state: the repository's own handover
 * and release definitions run on both engines with the same scripted functions (each call of a
 * function answers the next line of its script: an output, or a thrown lustre-ha exception), and
 * the executions must agree on every state entered, in order, on the retries, and on the outcome,
 * error and output. Together with {@code SimulateScenariosIT.bothEnginesAgree} (whole scenarios on
 * both), this is the conformance check the deterministic simulation rests on.
 */
class EngineConformanceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FUNCTIONS = "Claim Fence Detach Attach Record Complete Compensate Release";

    private static LocalLambda lambda;
    private static AslEngine node;
    private static StateMachineDefinition handover;
    private static StateMachineDefinition release;
    /** The script each function follows in the current run, by function name. */
    private static final Map<String, Deque<Step>> SCRIPT = new LinkedHashMap<>();

    /** One scripted answer: an output made from the input, or an exception to throw. */
    private record Step(UnaryOperator<ObjectNode> output, RuntimeException thrown) {
        static Step out(UnaryOperator<ObjectNode> f) {
            return new Step(f, null);
        }

        static Step error(RuntimeException e) {
            return new Step(null, e);
        }
    }

    @BeforeAll
    static void start() {
        lambda = LocalLambda.start(line -> { });
        for (String f : FUNCTIONS.split(" ")) {
            lambda.register(f + "Function", scripted(f));
        }
        node = AslEngine.start(lambda.endpoint());
        handover = DefinitionSubstitutions.load(Repository.file("template.yaml"), "HandoverStateMachine", Map.of());
        release = DefinitionSubstitutions.load(Repository.file("template.yaml"), "ReleaseStateMachine", Map.of());
    }

    @AfterAll
    static void stop() {
        node.close();
        lambda.close();
    }

    private static RequestStreamHandler scripted(String function) {
        return (in, out, context) -> {
            ObjectNode input = (ObjectNode) JSON.readTree(in);
            Step step;
            synchronized (SCRIPT) {
                Deque<Step> steps = SCRIPT.get(function);
                if (steps == null || steps.isEmpty()) {
                    throw new IllegalStateException("no script left for " + function);
                }
                step = steps.poll();
            }
            if (step.thrown() != null) {
                throw step.thrown();
            }
            out.write(JSON.writeValueAsBytes(step.output().apply(input)));
        };
    }

    /** What both engines must agree on. */
    private record Run(String status, String error, JsonNode output, List<String> states, long retries) {
    }

    private static Run run(StateMachineDefinition machine, String input, Map<String, List<Step>> script, boolean inJvm)
            throws Exception {
        synchronized (SCRIPT) {
            SCRIPT.clear();
            script.forEach((f, steps) -> SCRIPT.put(f, new ArrayDeque<>(steps)));
        }
        ExecutionResult r;
        if (inJvm) {
            SimClock clock = new SimClock(Instant.parse("2026-01-01T00:00:00Z"));
            VirtualStepFunctions engine = new VirtualStepFunctions(clock, (resource, payload) -> {
                LocalLambda.Response response = lambda.invoke(resource, payload.getBytes(StandardCharsets.UTF_8));
                String body = new String(response.payload(), StandardCharsets.UTF_8);
                return response.error().map(e -> VirtualStepFunctions.TaskResult.failed(e.errorType(), body))
                        .orElseGet(() -> VirtualStepFunctions.TaskResult.output(body));
            }, new Random(1), Latency.aws().taskInvoke());
            CompletableFuture<ExecutionResult> f = engine.startExecution(machine, "conformance", input,
                    ExecutionOptions.REAL_TIME);
            Instant limit = clock.now().plus(Duration.ofHours(2));
            while (!f.isDone() && clock.step(limit)) {
                // each step runs the next state
            }
            r = f.getNow(null);
        } else {
            r = node.startExecution(machine, "conformance", input, ExecutionOptions.scaled(0))
                    .get(60, TimeUnit.SECONDS);
        }
        assertTrue(r != null, "the execution ended");
        synchronized (SCRIPT) {
            SCRIPT.forEach((f, steps) -> assertTrue(steps.isEmpty(), f + " left " + steps.size() + " of its script unused"));
        }
        List<String> states = r.events(HistoryEvent.STATE_ENTERED).stream().map(e -> e.state().orElseThrow()).toList();
        return new Run(r.status().name(), r.error().orElse(null), r.output().map(EngineConformanceIT::parse).orElse(null),
                states, r.events(HistoryEvent.STATE_RETRIED).size());
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void bothAgree(StateMachineDefinition machine, String input, Map<String, List<Step>> script,
            List<String> expectedStates, String expectedStatus) throws Exception {
        Run inJvm = knownDifference(run(machine, input, script, true));
        Run asl = run(machine, input, script, false);
        assertEquals(asl, inJvm, "aws-local-stepfunctions (expected) vs the in-JVM executor");
        assertEquals(expectedStates, inJvm.states());
        assertEquals(expectedStatus, inJvm.status());
    }

    /**
     * The one difference pinned between the engines: Step Functions gives a caught function error's
     * {@code Cause} as the function's error document (JSON), which the in-JVM executor follows;
     * aws-local-stepfunctions gives {@code "<errorType>: <errorMessage>"}. The in-JVM run's causes
     * are put in the engine's form to compare the rest.
     */
    private static Run knownDifference(Run r) {
        if (r.output() != null && r.output().path("error").path("Cause").isTextual()) {
            JsonNode doc = parse(r.output().path("error").path("Cause").asText());
            assertTrue(doc.has("errorType") && doc.has("errorMessage"), "a cause is the error document: " + doc);
            ((ObjectNode) r.output().get("error")).put("Cause",
                    doc.get("errorType").asText() + ": " + doc.get("errorMessage").asText());
        }
        return r;
    }

    // ------------------------------------------------------------------ the cases

    private static final String INPUT = """
            {"input": {"fileSystem": "scratch", "instanceId": "i-0123456789abcdef0", "roleType": "OSS",
             "poll": {"fenceSeconds": 5, "detachSeconds": 2, "attachSeconds": 2, "heartbeatSeconds": 120,
                      "fenceTimeoutSeconds": 600, "detachStuckSeconds": 120, "moveTimeoutSeconds": 900}}}""";

    private static Step set(String field, String json) {
        return Step.out(s -> {
            s.set(field, parse(json));
            return s;
        });
    }

    private static final Step SAME = Step.out(s -> s);

    /** A fence poll as the step answers it: not yet fenced, with the wait before the next poll. */
    private static Step notFenced() {
        return set("fence", "{\"fenced\": false, \"waitSeconds\": 5, \"resourcesFree\": false}");
    }

    /** Fenced; {@code resourcesFree}: nothing of the role is attached elsewhere (nothing to detach). */
    private static Step fenced(boolean resourcesFree) {
        return set("fence", "{\"fenced\": true, \"resourcesFree\": " + resourcesFree + "}");
    }

    @Test
    void aHandoverThatPollsEveryPhase() throws Exception {
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(set("claim", "{\"outcome\": \"CLAIMED\", \"roleId\": \"oss01\", \"epoch\": 2}")),
                "Fence", List.of(notFenced(), fenced(false)),
                "Detach", List.of(set("detach", "{\"done\": false, \"waitSeconds\": 2}"),
                        set("detach", "{\"done\": true}")),
                "Attach", List.of(set("attach", "{\"done\": true}")),
                "Record", List.of(set("outcome", "\"SERVING\"")),
                "Complete", List.of(SAME)),
                List.of("Claim", "Claimed?", "Fence", "Fenced?", "WaitForFence", "Fence", "Fenced?", "Detach", "Detached?",
                        "WaitForDetach", "Detach", "Detached?", "Attach", "Attached?", "Record", "Complete", "Done"),
                "SUCCEEDED");
    }

    @Test
    void aFenceThatSawNothingAttachedElsewhereSkipsDetach() throws Exception {
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(set("claim", "{\"outcome\": \"CLAIMED\", \"roleId\": \"oss01\", \"epoch\": 2}")),
                "Fence", List.of(fenced(true)),
                "Attach", List.of(set("attach", "{\"done\": false, \"waitSeconds\": 3}"),
                        set("attach", "{\"done\": true}")),
                "Record", List.of(SAME),
                "Complete", List.of(SAME)),
                List.of("Claim", "Claimed?", "Fence", "Fenced?", "Attach", "Attached?", "WaitForAttach", "Attach",
                        "Attached?", "Record", "Complete", "Done"),
                "SUCCEEDED");
    }

    @Test
    void aStandbyGoesStraightToComplete() throws Exception {
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(set("claim", "{\"outcome\": \"STANDBY\"}")),
                "Complete", List.of(SAME)),
                List.of("Claim", "Claimed?", "Complete", "Done"), "SUCCEEDED");
    }

    @Test
    void aStaleEpochIsCaughtAndSuperseded() throws Exception {
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(set("claim", "{\"outcome\": \"CLAIMED\", \"roleId\": \"oss01\", \"epoch\": 2}")),
                "Fence", List.of(Step.error(new StaleEpochException(
                        Role.vacant(RoleKey.of("scratch", "oss01"), "us-east-1a", Instant.EPOCH), "i-0123456789abcdef0", 2))),
                "Complete", List.of(SAME)),
                List.of("Claim", "Claimed?", "Fence", "Superseded", "Done"), "SUCCEEDED");
    }

    @Test
    void aHeldResourceSendsTheHandoverBackToFence() throws Exception {
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(set("claim", "{\"outcome\": \"CLAIMED\", \"roleId\": \"oss01\", \"epoch\": 2}")),
                "Fence", List.of(fenced(false), fenced(false)),
                "Detach", List.of(Step.error(new ResourceHeldException("held by i-1")), set("detach", "{\"done\": true}")),
                "Attach", List.of(set("attach", "{\"done\": true}")),
                "Record", List.of(SAME),
                "Complete", List.of(SAME)),
                List.of("Claim", "Claimed?", "Fence", "Fenced?", "Detach", "Fence", "Fenced?", "Detach", "Detached?",
                        "Attach", "Attached?", "Record", "Complete", "Done"),
                "SUCCEEDED");
    }

    @Test
    void retriesThenSuccess() throws Exception {
        RuntimeException throttled = new AwsUnavailableException("RequestLimitExceeded", null);
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(Step.error(throttled), Step.error(throttled), Step.error(throttled),
                        set("claim", "{\"outcome\": \"STANDBY\"}")),
                "Complete", List.of(SAME)),
                List.of("Claim", "Claimed?", "Complete", "Done"), "SUCCEEDED");
    }

    @Test
    void retriesExhaustedAreCaughtAndCompensated() throws Exception {
        RuntimeException throttled = new AwsUnavailableException("RequestLimitExceeded", null);
        List<Step> nine = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            nine.add(Step.error(throttled));
        }
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(set("claim", "{\"outcome\": \"CLAIMED\", \"roleId\": \"oss01\", \"epoch\": 2}")),
                "Fence", List.of(fenced(false)),
                "Detach", List.of(set("detach", "{\"done\": true}")),
                "Attach", nine,
                "Compensate", List.of(SAME)),
                List.of("Claim", "Claimed?", "Fence", "Fenced?", "Detach", "Detached?", "Attach", "Compensate", "Failed"),
                "FAILED");
    }

    @Test
    void anUnknownFailureOfCompleteFailsTheExecution() throws Exception {
        bothAgree(handover, INPUT, Map.of(
                "Claim", List.of(set("claim", "{\"outcome\": \"STANDBY\"}")),
                "Complete", List.of(Step.error(new IllegalStateException("boom")))),
                List.of("Claim", "Claimed?", "Complete", "Failed"), "FAILED");
    }

    @Test
    void theReleaseWorkflow() throws Exception {
        RuntimeException throttled = new AwsUnavailableException("RequestLimitExceeded", null);
        bothAgree(release, INPUT, Map.of("Release", List.of(Step.error(throttled), SAME)),
                List.of("Release", "Done"), "SUCCEEDED");
    }
}
