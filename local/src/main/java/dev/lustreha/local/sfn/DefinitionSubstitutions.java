package dev.lustreha.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.local.LocalAccount;
import dev.lustreha.local.lambda.FunctionName;
import dev.lustreha.local.template.CloudFormationYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A template's {@code AWS::Serverless::StateMachine} as the local cloud runs it: its
 * {@code DefinitionUri} file with every {@code ${Name}} replaced, as CloudFormation does with the
 * {@code DefinitionSubstitutions}, with values that mean something locally.
 *
 * <p>Function ARNs ({@code !GetAtt F.Arn}) become {@code arn:aws:lambda:us-east-1:000000000000:function:F},
 * the function named by its logical id, which is the name the local Lambda endpoint serves it
 * under; {@code !Ref F} is that name. An alias SAM publishes ({@code AutoPublishAlias: live}),
 * referred to as {@code !Ref FAliaslive} or {@code F.Alias}, becomes the ARN qualified with it,
 * {@code ...:function:F:live}. {@code !Sub} resolves its {@code ${...}} by the same rules, with
 * the pseudo parameters of the local account. A parameter stands for its default. Everything else
 * (table names, ARNs of other resources) the caller gives, and a value the caller gives wins over
 * the template's. A {@code ${...}} of the definition left without a value is an error, named.
 */
public final class DefinitionSubstitutions {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Set<String> FUNCTION_TYPES = Set.of("AWS::Serverless::Function", "AWS::Lambda::Function");

    private final JsonNode template;

    private DefinitionSubstitutions(JsonNode template) {
        this.template = template;
    }

    /**
     * The definition of state machine {@code logicalId} of {@code template}, substituted.
     *
     * @param given values for substitutions that have no local meaning in the template, or that the
     *     caller wants otherwise
     * @throws IllegalStateException when a {@code ${...}} of the definition is left without a value
     */
    public static StateMachineDefinition load(Path template, String logicalId, Map<String, String> given) {
        JsonNode parsed = CloudFormationYaml.read(template);
        JsonNode resource = parsed.path("Resources").path(logicalId);
        if (!"AWS::Serverless::StateMachine".equals(resource.path("Type").asText())) {
            throw new IllegalArgumentException(template + " has no AWS::Serverless::StateMachine " + logicalId);
        }
        JsonNode uri = resource.path("Properties").path("DefinitionUri");
        if (!uri.isTextual()) {
            throw new IllegalArgumentException(logicalId + " needs a DefinitionUri naming a file beside the template");
        }
        String definition;
        try {
            definition = Files.readString(template.toAbsolutePath().getParent().resolve(uri.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the definition of " + logicalId, e);
        }
        return new StateMachineDefinition(logicalId, new DefinitionSubstitutions(parsed).substitute(logicalId, definition,
                resource.path("Properties").path("DefinitionSubstitutions"), given));
    }

    private String substitute(String logicalId, String definition, JsonNode declared, Map<String, String> given) {
        List<String> problems = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(definition);
        while (placeholder.find()) {
            String name = placeholder.group(1);
            Optional<String> value = Optional.ofNullable(given.get(name));
            if (value.isEmpty() && declared.has(name)) {
                value = resolve(declared.get(name));
                if (value.isEmpty()) {
                    problems.add("${" + name + "} = " + declared.get(name) + " has no local value: give one");
                }
            } else if (value.isEmpty()) {
                problems.add("${" + name + "} is not among its DefinitionSubstitutions");
            }
            placeholder.appendReplacement(out, Matcher.quoteReplacement(value.orElse("")));
        }
        placeholder.appendTail(out);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("state machine " + logicalId + ": " + String.join("; ", problems));
        }
        return out.toString();
    }

    /** The local value of a template value: a literal, or an intrinsic function this class knows. */
    private Optional<String> resolve(JsonNode value) {
        if (value.isValueNode()) {
            return Optional.of(value.asText());
        }
        if (value.isObject() && value.size() == 1) {
            if (value.has("Ref")) {
                return ref(value.get("Ref").asText());
            }
            if (value.has("Fn::GetAtt")) {
                JsonNode getAtt = value.get("Fn::GetAtt");
                return getAtt.isArray() && getAtt.size() == 2
                        ? attribute(getAtt.get(0).asText(), getAtt.get(1).asText()) : Optional.empty();
            }
            if (value.has("Fn::Sub")) {
                JsonNode sub = value.get("Fn::Sub");
                return sub.isTextual() ? sub(sub.asText(), null) : sub(sub.path(0).asText(), sub.path(1));
            }
        }
        return Optional.empty();
    }

    private Optional<String> ref(String name) {
        Optional<String> pseudoParameter = switch (name) {
            case "AWS::Region" -> Optional.of(LocalAccount.REGION);
            case "AWS::AccountId" -> Optional.of(LocalAccount.ACCOUNT_ID);
            case "AWS::Partition" -> Optional.of("aws");
            default -> Optional.empty();
        };
        if (pseudoParameter.isPresent()) {
            return pseudoParameter;
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            return dotted(name.substring(0, dot), name.substring(dot + 1));
        }
        if (isFunction(name)) {
            return Optional.of(name);
        }
        JsonNode parameter = template.path("Parameters").path(name);
        if (parameter.has("Default")) {
            return Optional.of(parameter.get("Default").asText());
        }
        return generatedAlias(name);
    }

    /** {@code Resource.Attribute}: SAM's {@code F.Alias} (the alias AutoPublishAlias made), or an attribute. */
    private Optional<String> dotted(String resource, String attribute) {
        return attribute.equals("Alias") ? alias(resource) : attribute(resource, attribute);
    }

    private Optional<String> attribute(String resource, String attribute) {
        if (attribute.equals("Arn") && isFunction(resource)) {
            return Optional.of(FunctionName.local(resource).arn());
        }
        return Optional.empty();
    }

    /** The ARN of the alias SAM publishes for function {@code function}, if it publishes one. */
    private Optional<String> alias(String function) {
        return isFunction(function) ? autoPublishAlias(function).map(a -> FunctionName.local(function, a).arn())
                : Optional.empty();
    }

    /** SAM names the alias resource it generates {@code <Function>Alias<alias name, alphanumerics only>}. */
    private Optional<String> generatedAlias(String logicalId) {
        for (var resource : template.path("Resources").properties()) {
            String function = resource.getKey();
            if (isFunction(function) && autoPublishAlias(function)
                    .filter(a -> logicalId.equals(function + "Alias" + a.replaceAll("[^A-Za-z0-9]", ""))).isPresent()) {
                return alias(function);
            }
        }
        return Optional.empty();
    }

    private Optional<String> autoPublishAlias(String function) {
        JsonNode resource = template.path("Resources").path(function);
        JsonNode own = resource.path("Properties").path("AutoPublishAlias");
        // SAM's Globals apply to its own resource types only.
        JsonNode global = "AWS::Serverless::Function".equals(resource.path("Type").asText())
                ? template.path("Globals").path("Function").path("AutoPublishAlias") : own;
        JsonNode alias = own.isTextual() ? own : global;
        return alias.isTextual() ? Optional.of(alias.asText()) : Optional.empty();
    }

    private boolean isFunction(String logicalId) {
        return FUNCTION_TYPES.contains(template.path("Resources").path(logicalId).path("Type").asText());
    }

    /** Fn::Sub: each ${X} is a variable of {@code variables} or a Ref, ${X.Attr} an attribute, ${!X} a literal ${X}. */
    private Optional<String> sub(String text, JsonNode variables) {
        StringBuilder out = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(text);
        while (placeholder.find()) {
            String name = placeholder.group(1);
            Optional<String> value;
            if (name.startsWith("!")) {
                value = Optional.of("${" + name.substring(1) + "}");
            } else if (variables != null && variables.has(name)) {
                value = resolve(variables.get(name));
            } else {
                value = ref(name);
            }
            if (value.isEmpty()) {
                return Optional.empty();
            }
            placeholder.appendReplacement(out, Matcher.quoteReplacement(value.get()));
        }
        placeholder.appendTail(out);
        return Optional.of(out.toString());
    }
}
