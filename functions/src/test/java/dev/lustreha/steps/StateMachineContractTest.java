package dev.lustreha.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Json;
import dev.lustreha.errors.LustreHaException;
import dev.lustreha.local.Repository;
import dev.lustreha.local.template.CloudFormationYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The contract between the state machines and the rest of the repository (docs/design.md §7): every
 * {@code ${Substitution}} of an ASL file is defined in template.yaml, every Task invokes one of the
 * template's functions, and every error name a Retry or Catch matches is Step Functions' own or
 * the fully qualified name of a top-level lustre-ha exception, so no branch silently never fires.
 */
class StateMachineContractTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    @Test
    void everySubstitutionIsDefinedAndEveryTaskIsATemplateFunction() throws IOException {
        JsonNode resources = CloudFormationYaml.read(Repository.file("template.yaml")).path("Resources");
        List<String> machines = new ArrayList<>();
        for (Map.Entry<String, JsonNode> r : resources.properties()) {
            if (!"AWS::Serverless::StateMachine".equals(r.getValue().path("Type").asText())) {
                continue;
            }
            machines.add(r.getKey());
            JsonNode props = r.getValue().path("Properties");
            String asl = Files.readString(Repository.file(props.path("DefinitionUri").asText()));
            JsonNode substitutions = props.path("DefinitionSubstitutions");
            Matcher m = PLACEHOLDER.matcher(asl);
            while (m.find()) {
                assertTrue(substitutions.has(m.group(1)), r.getKey() + " uses ${" + m.group(1) + "} the template never defines");
            }
            for (JsonNode state : Json.MAPPER.readTree(asl).path("States")) {
                if (!"Task".equals(state.path("Type").asText())) {
                    continue;
                }
                Matcher task = PLACEHOLDER.matcher(state.path("Resource").asText());
                assertTrue(task.matches(), "a Task resource is a substituted function ARN: " + state.path("Resource"));
                // SAM resolves !Ref F.Alias to the alias ARN of function F.
                String ref = substitutions.path(task.group(1)).path("Ref").asText();
                String function = ref.replace(".Alias", "");
                assertEquals("AWS::Serverless::Function", resources.path(function).path("Type").asText(),
                        task.group(1) + " -> " + ref + " is not a function of the template");
            }
        }
        assertEquals(List.of("HandoverStateMachine", "ReleaseStateMachine"), machines);
    }

    @Test
    void everyErrorNameIsStepFunctionsOwnOrATopLevelLustreHaException() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String file : List.of("statemachines/handover.asl.json", "statemachines/release.asl.json")) {
            collectErrorNames(Json.MAPPER.readTree(Files.readString(Repository.file(file))), names);
        }
        assertFalse(names.isEmpty());
        for (String name : names) {
            if (name.startsWith("States.") || name.startsWith("Lambda.")) {
                continue;
            }
            Class<?> type;
            try {
                type = Class.forName(name);
            } catch (ClassNotFoundException e) {
                throw new AssertionError("ErrorEquals names " + name + ", which is no class", e);
            }
            assertTrue(LustreHaException.class.isAssignableFrom(type), name + " is not a lustre-ha exception");
            assertFalse(type.isMemberClass() || name.contains("$"), name + " must be top level (the runtime reports Outer$Inner)");
        }
    }

    private static void collectErrorNames(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            JsonNode errors = node.get("ErrorEquals");
            if (errors != null) {
                errors.forEach(e -> names.add(e.asText()));
            }
            node.forEach(child -> collectErrorNames(child, names));
        } else if (node.isArray()) {
            node.forEach(child -> collectErrorNames(child, names));
        }
    }
}
