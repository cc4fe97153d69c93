package dev.lustreha.local.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefinitionSubstitutionsTest {

    private static final String FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:";
    private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/RolesTable";

    static Path fixture() {
        try {
            return Path.of(DefinitionSubstitutionsTest.class.getResource("/sfn/template.yaml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void resolvesEveryFormOfFunctionReference() throws Exception {
        StateMachineDefinition machine = DefinitionSubstitutions.load(fixture(), "Substituted",
                Map.of("TableArn", TABLE_ARN));

        assertEquals("Substituted", machine.name());
        JsonNode shown = new ObjectMapper().readTree(machine.json()).path("States").path("Show").path("Result");
        assertEquals(FUNCTION + "Flaky", shown.path("getAttShort").asText());
        assertEquals(FUNCTION + "Plain", shown.path("getAttShortList").asText());
        assertEquals(FUNCTION + "Recover", shown.path("getAttLong").asText());
        assertEquals("Flaky", shown.path("refFunction").asText());
        assertEquals(FUNCTION + "Flaky:live", shown.path("refAlias").asText(), "the Globals' AutoPublishAlias");
        assertEquals(FUNCTION + "Recover:blue-green", shown.path("refAliasProperty").asText(), "the function's own");
        assertEquals(FUNCTION + "Flaky", shown.path("subArn").asText());
        assertEquals(FUNCTION + "Flaky:live", shown.path("subAlias").asText());
        // ${!Literal} is Fn::Sub's escape for a literal ${Literal}; substitution makes one pass, as in AWS.
        assertEquals("arn:aws:states:us-east-1:000000000000:stateMachine:${Literal}", shown.path("subPseudo").asText());
        assertEquals("Plain-scratch", shown.path("subVariables").asText());
        assertEquals(FUNCTION + "Recover", shown.path("longSub").asText());
        assertEquals("scratch", shown.path("parameter").asText(), "a parameter's default");
        assertEquals(42, shown.path("literal").asInt());
        assertTrue(shown.path("literal").isNumber(), "substitution is textual, as in CloudFormation");
        assertEquals(TABLE_ARN, shown.path("tableArn").asText());
    }

    @Test
    void aValueTheCallerGivesWins() throws Exception {
        StateMachineDefinition machine = DefinitionSubstitutions.load(fixture(), "Substituted",
                Map.of("TableArn", TABLE_ARN, "RefFunction", "Elsewhere"));

        assertEquals("Elsewhere", new ObjectMapper().readTree(machine.json())
                .path("States").path("Show").path("Result").path("refFunction").asText());
    }

    @Test
    void failsOnAValueWithNoLocalMeaning() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DefinitionSubstitutions.load(fixture(), "Substituted", Map.of()));

        assertTrue(e.getMessage().contains("${TableArn}"), e.getMessage());
        assertTrue(e.getMessage().contains("RolesTable"), e.getMessage());
        assertFalse(e.getMessage().contains("${GetAttShort}"), e.getMessage());
    }

    @Test
    void failsOnEveryPlaceholderTheTemplateDoesNotDeclare() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DefinitionSubstitutions.load(fixture(), "Broken", Map.of()));

        assertTrue(e.getMessage().startsWith("state machine Broken: "), e.getMessage());
        assertTrue(e.getMessage().contains("${GetAttShortList} is not among its DefinitionSubstitutions"), e.getMessage());
        assertTrue(e.getMessage().contains("${TableArn} is not among"), e.getMessage());
        assertFalse(e.getMessage().contains("${GetAttShort} "), e.getMessage());
    }

    @Test
    void refusesAResourceThatIsNoStateMachine() {
        assertThrows(IllegalArgumentException.class, () -> DefinitionSubstitutions.load(fixture(), "Flaky", Map.of()));
    }
}
