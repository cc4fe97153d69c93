package dev.lustreha.local.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.local.Repository;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

class DynamoDbLocalIT {

    @Test
    void servesTheTemplatesTablesOnLoopback() {
        try (DynamoDbLocal local = DynamoDbLocal.startWithTables(Repository.file("template.yaml"));
                DynamoDbClient client = local.newClient()) {
            assertEquals("127.0.0.1", local.endpoint().getHost());
            assertEquals(List.of("HistoryTable", "ResourcesTable", "RolesTable"), client.listTables().tableNames());
            for (String table : List.of("RolesTable", "ResourcesTable")) {
                TableDescription d = client.describeTable(r -> r.tableName(table)).table();
                assertEquals(List.of(
                        KeySchemaElement.builder().attributeName("fileSystem").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("roleId").keyType(KeyType.RANGE).build()),
                        d.keySchema(), table);
            }
            Map<String, AttributeValue> item = Map.of("fileSystem", AttributeValue.fromS("scratch"),
                    "roleId", AttributeValue.fromS("mgs"));
            client.putItem(r -> r.tableName("RolesTable").item(item));
            assertEquals(item, client.getItem(r -> r.tableName("RolesTable").key(item).consistentRead(true)).item());
        }
    }

    @Test
    void readsEveryTableOfTheTemplate() {
        List<TableDefinition> tables = TableDefinition.fromTemplate(Repository.file("template.yaml"));
        assertEquals(List.of("RolesTable", "ResourcesTable", "HistoryTable"),
                tables.stream().map(TableDefinition::name).toList());
        assertTrue(tables.stream().allMatch(t -> t.create().keySchema().size() == 2));
        TableDefinition history = tables.get(2);
        assertEquals("handoverId", history.create().keySchema().get(1).attributeName());
        assertEquals("expiresAt", history.timeToLive().orElseThrow().attributeName());
    }
}
