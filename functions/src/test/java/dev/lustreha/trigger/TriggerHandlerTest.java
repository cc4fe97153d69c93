package dev.lustreha.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.config.Json;
import dev.lustreha.steps.HandoverState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Lambda entry point's reading of bodies: the ones the trigger fuzzing found read wrongly. */
class TriggerHandlerTest {

    private final LifecycleTriggerTest.RecordingStarter starter = new LifecycleTriggerTest.RecordingStarter();
    private final LifecycleTriggerHandler handler = new LifecycleTriggerHandler(
            new LifecycleTrigger(Fixtures.CONFIG, starter, HandoverState.Poll.defaults()));

    private TriggerResult invoke(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(body), out, null);
        return Json.MAPPER.readValue(out.toByteArray(), TriggerResult.class);
    }

    private static byte[] launchWith(String suffix) {
        return (new String(Fixtures.bytes("launch-lifecycle.json"), StandardCharsets.UTF_8) + suffix)
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theFixtureItselfStartsTheHandover() throws IOException {
        assertEquals("STARTED", invoke(Fixtures.bytes("launch-lifecycle.json")).action());
        assertEquals(1, starter.starts.size());
    }

    /** Was: the first JSON value was read and the rest ignored, so a body with trailing content started a handover. */
    @ParameterizedTest
    @ValueSource(strings = {" x", "}", "{}", "\n{\"source\":\"aws.ec2\"}", ",null"})
    void aBodyWithContentAfterTheEventIsRejected(String trailing) throws IOException {
        TriggerResult r = invoke(launchWith(trailing));
        assertEquals("REJECTED", r.action());
        assertTrue(r.reason().startsWith("not JSON"), r.reason());
        assertEquals(List.of(), starter.starts);
    }

    /** Was: the last of a repeated key won, so a body that says two things at once was acted on. */
    @Test
    void aBodyWithARepeatedKeyIsRejected() throws IOException {
        String body = new String(Fixtures.bytes("launch-lifecycle.json"), StandardCharsets.UTF_8)
                .replace("\"source\": \"aws.autoscaling\",", "\"source\": \"aws.ec2\", \"source\": \"aws.autoscaling\",");
        TriggerResult r = invoke(body.getBytes(StandardCharsets.UTF_8));
        assertEquals("REJECTED", r.action());
        assertTrue(r.reason().contains("Duplicate field 'source'"), r.reason());
        assertEquals(List.of(), starter.starts);
    }

    /**
     * Was: an exception out of the entry point (CharConversionException is an IOException, not a
     * JsonProcessingException), so the malformed body was retried instead of rejected and reported.
     * Three zero bytes first make the parser read UTF-32; 0x7f7f7f7f is no character.
     */
    @Test
    void bytesThatAreNoCharacterAreRejected() throws IOException {
        TriggerResult r = invoke(new byte[] {0, 0, 0, 0x7b, 0x7f, 0x7f, 0x7f, 0x7f});
        assertEquals("REJECTED", r.action());
        assertTrue(r.reason().startsWith("not JSON: Invalid UTF-32 character"), r.reason());
        assertEquals(List.of(), starter.starts);
    }
}
