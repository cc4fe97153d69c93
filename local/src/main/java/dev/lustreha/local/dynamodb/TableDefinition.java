package dev.lustreha.local.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

/**
 * A DynamoDB table as {@code template.yaml} declares it, so the local tables have exactly the keys,
 * indexes and TTL attribute of the deployed ones and cannot drift from them.
 */
public record TableDefinition(String name, CreateTableRequest create, Optional<TimeToLiveSpecification> timeToLive) {

    /** Every {@code AWS::DynamoDB::Table} of the template, named by its logical id. */
    public static List<TableDefinition> fromTemplate(Path template) {
        // A simulation of many short runs starts a cloud per run: the file is read once while unchanged.
        return PARSED.compute(template.toAbsolutePath(), (path, known) -> {
            FileTime modified = modified(path);
            return known != null && known.modified().equals(modified) ? known : new Parsed(modified, parse(path));
        }).tables();
    }

    private record Parsed(FileTime modified, List<TableDefinition> tables) {
    }

    private static final Map<Path, Parsed> PARSED = new ConcurrentHashMap<>();

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static List<TableDefinition> parse(Path template) {
        JsonNode resources = read(template).path("Resources");
        List<TableDefinition> tables = new ArrayList<>();
        for (Map.Entry<String, JsonNode> resource : resources.properties()) {
            if ("AWS::DynamoDB::Table".equals(resource.getValue().path("Type").asText())) {
                tables.add(of(resource.getKey(), resource.getValue().path("Properties")));
            }
        }
        return List.copyOf(tables);
    }

    private static TableDefinition of(String name, JsonNode properties) {
        CreateTableRequest.Builder create = CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes(properties.path("AttributeDefinitions")))
                .keySchema(keys(properties.path("KeySchema")));
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (JsonNode index : properties.path("GlobalSecondaryIndexes")) {
            indexes.add(GlobalSecondaryIndex.builder()
                    .indexName(index.path("IndexName").asText())
                    .keySchema(keys(index.path("KeySchema")))
                    .projection(Projection.builder()
                            .projectionType(index.path("Projection").path("ProjectionType").asText("ALL"))
                            .build())
                    .build());
        }
        if (!indexes.isEmpty()) {
            create.globalSecondaryIndexes(indexes);
        }
        JsonNode ttl = properties.path("TimeToLiveSpecification");
        Optional<TimeToLiveSpecification> timeToLive = ttl.path("Enabled").asBoolean(false)
                ? Optional.of(TimeToLiveSpecification.builder()
                        .enabled(true)
                        .attributeName(ttl.path("AttributeName").asText())
                        .build())
                : Optional.empty();
        return new TableDefinition(name, create.build(), timeToLive);
    }

    private static List<AttributeDefinition> attributes(JsonNode list) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        for (JsonNode a : list) {
            attributes.add(AttributeDefinition.builder()
                    .attributeName(a.path("AttributeName").asText())
                    .attributeType(a.path("AttributeType").asText())
                    .build());
        }
        return attributes;
    }

    private static List<KeySchemaElement> keys(JsonNode list) {
        List<KeySchemaElement> keys = new ArrayList<>();
        for (JsonNode k : list) {
            keys.add(KeySchemaElement.builder()
                    .attributeName(k.path("AttributeName").asText())
                    .keyType(k.path("KeyType").asText())
                    .build());
        }
        return keys;
    }

    private static JsonNode read(Path template) {
        try {
            // CloudFormation's short-form tags (!Ref, !Sub, ...) are read as plain scalars, which is
            // all that is needed: key schemas never use intrinsic functions in our template.
            return new ObjectMapper(new YAMLFactory()).readTree(template.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template, e);
        }
    }
}
