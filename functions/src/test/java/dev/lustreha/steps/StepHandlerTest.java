package dev.lustreha.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Json;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class StepHandlerTest {

    private static final String STATE = "{\"input\":{\"fileSystem\":\"scratch\",\"instanceId\":\"i-000000000000000aa\","
            + "\"executionName\":\"launch-i-000000000000000aa\"},\"claim\":{\"outcome\":\"CLAIMED\",\"roleId\":\"oss02\","
            + "\"epoch\":3}}";

    private static final class Probe extends StepHandler {
        Probe(UnaryOperator<HandoverState> step) {
            super(step);
        }
    }

    private final List<String> logged = new ArrayList<>();
    private final Context context = (Context) Proxy.newProxyInstance(Context.class.getClassLoader(),
            new Class<?>[] {Context.class}, (p, m, a) -> m.getName().equals("getLogger") ? (LambdaLogger) new LambdaLogger() {
                @Override
                public void log(String message) {
                    logged.add(message.strip());
                }

                @Override
                public void log(byte[] message) {
                    log(new String(message, StandardCharsets.UTF_8));
                }
            } : null);

    @Test
    void eachStepLogsOneJsonLineWithRoleEpochInstanceAndExecution() throws IOException {
        new Probe(s -> s.withOutcome("SERVING")).handleRequest(
                new ByteArrayInputStream(STATE.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), context);
        assertEquals(1, logged.size());
        JsonNode line = Json.MAPPER.readTree(logged.get(0));
        assertEquals("Probe", line.path("step").asText());
        assertEquals("oss02", line.path("role").asText());
        assertEquals(3, line.path("epoch").asInt());
        assertEquals("i-000000000000000aa", line.path("instance").asText());
        assertEquals("launch-i-000000000000000aa", line.path("execution").asText());
        assertEquals("SERVING", line.path("outcome").asText());
    }

    @Test
    void aFailingStepLogsItsErrorAndStillThrowsForTheStateMachine() throws IOException {
        Role current = Role.vacant(RoleKey.of("scratch", "oss02"), "us-east-1a", Instant.EPOCH);
        StepHandler failing = new Probe(s -> {
            throw new StaleEpochException(current, "i-000000000000000aa", 3);
        });
        assertThrows(StaleEpochException.class, () -> failing.handleRequest(
                new ByteArrayInputStream(STATE.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), context));
        JsonNode line = Json.MAPPER.readTree(logged.get(0));
        assertEquals("dev.lustreha.errors.StaleEpochException", line.path("error").asText());
        assertEquals("oss02", line.path("role").asText());
    }
}
