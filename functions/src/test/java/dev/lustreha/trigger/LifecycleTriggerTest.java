package dev.lustreha.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.config.Json;
import dev.lustreha.steps.HandoverState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LifecycleTriggerTest {

    /** Records starts; a name seen before answers ALREADY_EXISTS, like Step Functions for a closed execution. */
    static final class RecordingStarter implements ExecutionStarter {
        record Start(String arn, String name, String input) {
        }

        final List<Start> starts = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        @Override
        public Started start(String stateMachineArn, String name, String input) {
            starts.add(new Start(stateMachineArn, name, input));
            return names.add(name) ? Started.STARTED : Started.ALREADY_EXISTS;
        }
    }

    private final RecordingStarter starter = new RecordingStarter();
    private final LifecycleTrigger trigger = new LifecycleTrigger(Fixtures.CONFIG, starter, HandoverState.Poll.defaults());

    @Test
    void aLaunchStartsTheHandoverWithADeterministicValidName() throws IOException {
        TriggerResult r = trigger.handle(Fixtures.json("launch-lifecycle.json"));

        assertEquals("STARTED", r.action());
        assertEquals("launch-i-0a1b2c3d4e5f60001-87654321-4321-4321-4321-210987654321", r.execution());
        assertTrue(r.execution().length() <= 80);
        assertTrue(r.execution().matches("[A-Za-z0-9_-]+"), "no character Step Functions forbids in names");
        RecordingStarter.Start start = starter.starts.get(0);
        assertEquals(Fixtures.CONFIG.handoverStateMachineArn(), start.arn());
        HandoverState state = Json.MAPPER.readValue(start.input(), HandoverState.class);
        HandoverState.Input in = state.input();
        assertEquals("scratch", in.fileSystem());
        assertEquals("i-0a1b2c3d4e5f60001", in.instanceId());
        assertEquals("OSS", in.roleType());
        assertEquals("scratch-oss", in.autoScalingGroupName());
        assertEquals("lustre-ha-launch", in.lifecycleHookName());
        assertEquals("87654321-4321-4321-4321-210987654321", in.lifecycleActionToken());
        assertEquals(r.execution(), in.executionName());
        assertEquals(HandoverState.Poll.defaults(), in.poll());
        assertNull(state.claim());
    }

    @Test
    void aTerminateStartsTheRelease() {
        TriggerResult r = trigger.handle(Fixtures.json("terminate-lifecycle.json"));
        assertEquals("STARTED", r.action());
        assertTrue(r.execution().startsWith("release-i-0a1b2c3d4e5f60002-"));
        assertEquals(Fixtures.CONFIG.releaseStateMachineArn(), starter.starts.get(0).arn());
    }

    @Test
    void aDuplicateEventStartsNothingNew() {
        TriggerResult first = trigger.handle(Fixtures.json("launch-lifecycle.json"));
        TriggerResult again = trigger.handle(Fixtures.json("launch-lifecycle.json"));
        assertEquals("STARTED", first.action());
        assertEquals("DUPLICATE", again.action());
        assertEquals(first.execution(), again.execution());
        assertEquals(starter.starts.get(0).input(), starter.starts.get(1).input(),
                "the same event gives the same input, so a running execution is simply returned again");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "warm-pool-launch.json, IGNORED",
        "warm-pool-return.json, IGNORED",
        "foreign-asg-launch.json, IGNORED",
        "malformed-instance-id.json, REJECTED",
        "malformed-no-detail.json, REJECTED",
        "malformed-transition-mismatch.json, REJECTED",
        "malformed-field-types.json, REJECTED",
        "state-change-stopped.json, REJECTED",
    })
    void eventsThatAreNotOursOrMalformedStartNothing(String fixture, String action) {
        TriggerResult r = trigger.handle(Fixtures.json(fixture));
        assertEquals(action, r.action(), r.reason());
        assertTrue(r.reason() != null && !r.reason().isBlank(), "every refusal says why");
        assertEquals(List.of(), starter.starts);
    }

    @Test
    void aHookThatIsNotOursIsIgnored() {
        ObjectNode event = (ObjectNode) Fixtures.json("launch-lifecycle.json");
        ((ObjectNode) event.get("detail")).put("LifecycleHookName", "someone-elses-hook");
        assertEquals("IGNORED", trigger.handle(event).action());
        assertEquals(List.of(), starter.starts);
    }

    @Test
    void aMissingTokenFallsBackToTheInstanceId() {
        ObjectNode event = (ObjectNode) Fixtures.json("launch-lifecycle.json");
        ((ObjectNode) event.get("detail")).remove("LifecycleActionToken");
        TriggerResult r = trigger.handle(event);
        assertEquals("STARTED", r.action());
        assertEquals("launch-i-0a1b2c3d4e5f60001", r.execution());
    }

    /**
     * Found by TriggerFuzzTest: an optional field of another type than text was read as absent, so a
     * warm pool move whose Destination was not plain text started a handover, and a token that was
     * not text gave the execution another name than the action's.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "warm-pool-launch.json   | Destination          | [\"WarmPool\"]",
        "warm-pool-launch.json   | Destination          | {\"value\":\"WarmPool\"}",
        "warm-pool-return.json   | Destination          | null",
        "launch-lifecycle.json   | Destination          | 1",
        "launch-lifecycle.json   | Origin               | false",
        "launch-lifecycle.json   | LifecycleActionToken | 42",
        "launch-lifecycle.json   | LifecycleActionToken | \"  \"",
        "terminate-lifecycle.json| LifecycleActionToken | null",
    })
    void anOptionalFieldThatIsPresentButNotTextIsRejected(String fixture, String field, String json)
            throws IOException {
        ObjectNode event = (ObjectNode) Fixtures.json(fixture);
        ((ObjectNode) event.get("detail")).set(field, Json.MAPPER.readTree(json));
        TriggerResult r = trigger.handle(event);
        assertEquals("REJECTED", r.action(), r.reason());
        assertEquals(field + " present but not text for " + event.get("detail").get("EC2InstanceId").asText(),
                r.reason());
        assertEquals(List.of(), starter.starts);
    }

    @Test
    void theHandlerRejectsABodyThatIsNotJsonAndAnswersOneLine() throws IOException {
        LifecycleTriggerHandler handler = new LifecycleTriggerHandler(trigger);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Fixtures.bytes("malformed-not-json.json")), out, null);
        TriggerResult r = Json.MAPPER.readValue(out.toByteArray(), TriggerResult.class);
        assertEquals("REJECTED", r.action());
        assertTrue(r.reason().startsWith("not JSON"), r.reason());
        assertEquals(List.of(), starter.starts);
    }
}
