package dev.lustreha.local.template;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Reads a CloudFormation (SAM) template written in YAML into the tree its JSON form would be: the
 * short-form intrinsic functions become their long forms, {@code !Ref X} → {@code {"Ref": "X"}},
 * {@code !GetAtt X.Arn} → {@code {"Fn::GetAtt": ["X", "Arn"]}}, {@code !Sub s} → {@code {"Fn::Sub": s}}
 * and so on, so a reader handles each function once, whichever form the template uses.
 *
 * <p>A plain Jackson tree would drop the tags: Jackson's YAML parser reports a node's tag (without
 * its {@code !}) as the type id of the node's first token, which this reader consults.
 */
public final class CloudFormationYaml {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLFactory YAML = new YAMLFactory();

    private CloudFormationYaml() {
    }

    public static JsonNode read(Path template) {
        try (YAMLParser parser = YAML.createParser(template.toFile())) {
            parser.nextToken();
            return value(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template, e);
        }
    }

    /** The value starting at the parser's current token; leaves the parser on its last token. */
    private static JsonNode value(YAMLParser parser) throws IOException {
        String tag = parser.getTypeId();
        JsonNode value = switch (parser.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    object.set(field, value(parser));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(parser));
                }
                yield array;
            }
            case VALUE_NULL -> NODES.nullNode();
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(parser.getBooleanValue());
            case VALUE_NUMBER_INT -> NODES.numberNode(parser.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            default -> NODES.textNode(parser.getText());
        };
        return tag == null ? value : intrinsic(tag, value);
    }

    private static JsonNode intrinsic(String tag, JsonNode argument) {
        return switch (tag) {
            case "Ref", "Condition" -> NODES.objectNode().set(tag, argument);
            // The short form's "Resource.Attribute" is the long form's ["Resource", "Attribute"].
            case "GetAtt" -> NODES.objectNode().set("Fn::GetAtt", argument instanceof TextNode text
                    ? NODES.arrayNode().add(text.asText().substring(0, dot(text)))
                            .add(text.asText().substring(dot(text) + 1))
                    : argument);
            default -> NODES.objectNode().set("Fn::" + tag, argument);
        };
    }

    private static int dot(TextNode getAtt) {
        int dot = getAtt.asText().indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, not " + getAtt.asText());
        }
        return dot;
    }
}
