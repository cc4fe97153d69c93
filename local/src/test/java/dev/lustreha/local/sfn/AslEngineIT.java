package dev.lustreha.local.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustreha.local.lambda.Invocation;
import dev.lustreha.local.lambda.LocalLambda;
import dev.lustreha.local.sfn.testing.FlakyException;
import dev.lustreha.local.sfn.testing.FlakyHandler;
import dev.lustreha.local.sfn.testing.RecoverHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The smoke test of the local engine: a definition from a SAM template, with Task, Retry, Catch,
 * Wait and Choice, runs on aws-local-stepfunctions and calls Java handlers through the local
 * Lambda endpoint; the engine matches a Java exception by its fully qualified class name.
 */
class AslEngineIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLAKY = FlakyException.class.getName();
    // 5 s of Wait and 1+2+4 s of retry pauses become milliseconds.
    private static final ExecutionOptions FAST = ExecutionOptions.scaled(0.001);

    // One endpoint and one engine for the class: the engine's first execution pays for loading the
    // AWS SDK and compiling the ASL schema, a few hundred milliseconds.
    private static LocalLambda lambda;
    private static AslEngine engine;
    private static StateMachineDefinition smoke;

    private int invocationsBefore;

    @BeforeAll
    static void start() {
        lambda = LocalLambda.start();
        engine = AslEngine.start(lambda.endpoint());
        smoke = DefinitionSubstitutions.load(DefinitionSubstitutionsTest.fixture(), "Smoke", Map.of());
    }

    @AfterAll
    static void stop() {
        engine.close();
        lambda.close();
    }

    /** Fresh handlers (FlakyHandler counts calls) for each test. */
    @BeforeEach
    void registerHandlers() {
        lambda.register("Flaky", new FlakyHandler()).register("Recover", new RecoverHandler());
        invocationsBefore = lambda.invocations().size();
    }

    /** This test's invocations of {@code function}: every execution of an earlier test has ended. */
    private List<Invocation> invocations(String function) {
        List<Invocation> all = lambda.invocations();
        return all.subList(invocationsBefore, all.size()).stream()
                .filter(i -> i.function().name().equals(function))
                .toList();
    }

    @Test
    void runsOnNode22() {
        assertTrue(engine.nodeVersion().startsWith("v22."), engine.nodeVersion());
    }

    @Test
    void retriesTheJavaExceptionByClassNameUntilTheTaskSucceeds() throws Exception {
        ExecutionResult result = engine.execute(smoke, "retry-1", "{\"key\":\"k\",\"failures\":2}", FAST);

        assertEquals(ExecutionStatus.SUCCEEDED, result.status(), result.toString());
        assertEquals("arn:aws:states:us-east-1:000000000000:execution:Smoke:retry-1", result.executionArn());
        JsonNode output = JSON.readTree(result.output().orElseThrow());
        assertEquals(JSON.readTree("{\"ok\":true,\"attempts\":3}"), output.path("attempt"));
        assertEquals(3, invocations("Flaky").size());
        assertEquals(List.of(Invocation.Outcome.FUNCTION_ERROR, Invocation.Outcome.FUNCTION_ERROR,
                Invocation.Outcome.SUCCEEDED), invocations("Flaky").stream().map(Invocation::outcome).toList());
        assertEquals(List.of(), invocations("Recover"));

        assertEquals(List.of("Attempt", "Settle", "Decide", "Done"), entered(result));
        assertEquals(2, result.events("StateRetried").size());
        List<HistoryEvent> failures = result.events("StateFailed");
        assertEquals(2, failures.size());
        for (HistoryEvent failure : failures) {
            assertEquals(FLAKY, failure.error().orElseThrow());
            JsonNode document = JSON.readTree(failure.cause().orElseThrow());
            assertEquals(FLAKY, document.path("errorType").asText());
            assertTrue(document.path("errorMessage").asText().endsWith(" for k failed"), document.toString());
        }
        assertEquals(4 + 2, result.stateTransitions(), "4 states entered, 2 retries");
        assertTrue(result.duration().compareTo(Duration.ofSeconds(2)) < 0, "waits are scaled: " + result.duration());
    }

    @Test
    void catchesTheJavaExceptionByClassNameAndRecovers() throws Exception {
        ExecutionResult result = engine.execute(smoke, "catch-1", "{\"key\":\"k\",\"failures\":100}", FAST);

        assertEquals(ExecutionStatus.SUCCEEDED, result.status(), result.toString());
        JsonNode output = JSON.readTree(result.output().orElseThrow());
        assertEquals(FLAKY, output.path("error").path("Error").asText());
        assertEquals(FLAKY, output.path("recovery").path("recoveredFrom").asText());
        // The engine's Cause for a caught Lambda error is "<errorType>: <errorMessage>"; Step
        // Functions' is the error document's JSON.
        assertEquals(FLAKY + ": attempt 4 for k failed", output.path("recovery").path("cause").asText());
        assertEquals(4, invocations("Flaky").size(), "the first attempt and MaxAttempts 3 retries");
        assertEquals(1, invocations("Recover").size());
        assertTrue(invocations("Recover").get(0).function().qualifier().filter("blue-green"::equals).isPresent(),
                "the Recover task calls the alias");
        assertEquals(List.of("Attempt", "Recover", "Done"), entered(result));
        assertEquals(1, result.events("StateCaught").size());
    }

    @Test
    void failsWithTheClassNameOfAnExceptionNoRetrierNames() throws Exception {
        ExecutionResult result = engine.execute(smoke, "fatal-1", "{\"key\":\"k\",\"fatal\":true}", FAST);

        assertEquals(ExecutionStatus.FAILED, result.status());
        assertEquals("java.lang.IllegalStateException", result.error().orElseThrow());
        JsonNode cause = JSON.readTree(result.cause().orElseThrow());
        assertEquals("no way forward for k", cause.path("errorMessage").asText());
        assertEquals("java.lang.IllegalStateException", cause.path("errorType").asText());
        assertTrue(cause.path("stackTrace").get(0).asText().startsWith(FlakyHandler.class.getName() + ".handleRequest("));
        assertEquals(1, invocations("Flaky").size());
        assertEquals(1, result.events("ExecutionFailed").size());
    }

    @Test
    void runsExecutionsConcurrently() {
        ExecutionOptions halfSecondSettle = FAST.withWait("Settle", Duration.ofMillis(500));
        long t0 = System.nanoTime();
        List<CompletableFuture<ExecutionResult>> executions = IntStream.range(0, 8)
                .mapToObj(i -> engine.startExecution(smoke, "concurrent-" + i,
                        "{\"key\":\"k" + i + "\",\"failures\":1}", halfSecondSettle))
                .toList();
        List<ExecutionResult> results = executions.stream().map(CompletableFuture::join).toList();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);

        assertTrue(results.stream().allMatch(r -> r.status() == ExecutionStatus.SUCCEEDED), results.toString());
        assertEquals(16, invocations("Flaky").size());
        assertTrue(elapsed.compareTo(Duration.ofMillis(8 * 500 / 2)) < 0, "8 executions waiting 500 ms took " + elapsed);
    }

    @Test
    void overridesWaitsAndRetryPausesByState() throws Exception {
        ExecutionOptions options = ExecutionOptions.REAL_TIME
                .withWait("Settle", Duration.ZERO)
                .withRetryPause("Attempt", Duration.ofMillis(300));

        ExecutionResult result = engine.execute(smoke, "override-1", "{\"key\":\"k\",\"failures\":2}", options);

        assertEquals(ExecutionStatus.SUCCEEDED, result.status(), result.toString());
        // Two pauses of 300 ms instead of 1 s and 2 s, and no 5 s Settle.
        Duration duration = result.duration();
        assertTrue(duration.compareTo(Duration.ofMillis(600)) >= 0 && duration.compareTo(Duration.ofMillis(2500)) < 0,
                duration.toString());
    }

    @Test
    void timesOutWhenTheMachinesTimeoutRunsOut() {
        StateMachineDefinition slow = new StateMachineDefinition("Slow", """
                {"TimeoutSeconds": 1, "StartAt": "Linger",
                 "States": {"Linger": {"Type": "Wait", "Seconds": 30, "End": true}}}""");

        ExecutionResult result = engine.execute(slow, "slow-1", "{}", ExecutionOptions.REAL_TIME);

        assertEquals(ExecutionStatus.TIMED_OUT, result.status());
        assertEquals("States.Timeout", result.error().orElseThrow());
        assertEquals(1, result.events("ExecutionTimeout").size());
    }

    @Test
    void refusesAnInvalidDefinitionAndExecutionName() {
        StateMachineDefinition invalid = new StateMachineDefinition("Invalid", "{\"StartAt\":\"Nowhere\",\"States\":{}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.execute(invalid, "x", "{}", FAST));
        assertTrue(e.getMessage().startsWith("invalid state machine definition"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> engine.execute(smoke, "has:colon", "{}", FAST));
        assertEquals(List.of(), invocations("Flaky"));
    }

    @Test
    void reportsAnUnknownFunctionUnderTheSdkErrorName() {
        StateMachineDefinition missing = new StateMachineDefinition("Missing", """
                {"StartAt": "Call", "States": {"Call": {"Type": "Task",
                  "Resource": "arn:aws:lambda:us-east-1:000000000000:function:Nobody", "End": true}}}""");

        ExecutionResult result = engine.execute(missing, "missing-1", "{}", FAST);

        assertEquals(ExecutionStatus.FAILED, result.status());
        // Step Functions says Lambda.ResourceNotFoundException; the engine passes on the JavaScript
        // SDK's exception name.
        assertEquals("ResourceNotFoundException", result.error().orElseThrow());
        assertTrue(result.cause().orElseThrow().contains("Function not found: arn:aws:lambda:us-east-1:000000000000:function:Nobody"),
                result.cause().orElseThrow());
    }

    private static List<String> entered(ExecutionResult result) {
        return result.events(HistoryEvent.STATE_ENTERED).stream().map(e -> e.state().orElseThrow()).toList();
    }
}
