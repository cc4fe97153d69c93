package dev.lustreha.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.local.Repository;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoHandoverHistoryIT {

    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");

    @Test
    void theLatestRecordOfARoleComesBackWithItsPhasesAndATimeToLive() {
        try (DynamoDbLocal local = DynamoDbLocal.startWithTables(Repository.file("template.yaml"));
                DynamoDbClient dynamo = local.newClient()) {
            HandoverHistory history = new DynamoHandoverHistory(dynamo, "HistoryTable");
            HandoverRecord first = new HandoverRecord("scratch", "oss02", "launch-a", null, "i-000000000000000a1", 1,
                    "SERVING", T, T.plusSeconds(40), 20.0, 1.0, 4.0, 40.0, null);
            HandoverRecord failed = new HandoverRecord("scratch", "oss02", "launch-b", "i-000000000000000a1",
                    "i-000000000000000b2", 2, "FAILED", T.plusSeconds(600), T.plusSeconds(1300), null, null, null, 700.0,
                    "dev.lustreha.errors.HandoverTimeoutException: fence not confirmed");
            HandoverRecord other = new HandoverRecord("scratch", "oss10", "launch-c", null, "i-000000000000000c3", 1,
                    "SERVING", T.plusSeconds(5000), T.plusSeconds(5040), 20.0, 1.0, 4.0, 40.0, null);
            history.record(first);
            history.record(failed);
            history.record(other);

            assertEquals(Optional.of(failed), history.latest(new FileSystemName("scratch"), RoleId.parse("oss02")),
                    "the latest of oss02, not oss10's (whose id shares a prefix with none)");
            assertEquals(Optional.of(other), history.latest(new FileSystemName("scratch"), RoleId.parse("oss10")));
            assertEquals(Optional.empty(), history.latest(new FileSystemName("scratch"), RoleId.parse("mgs")));

            // A whole second and a fraction of it: the later one must come back, whatever Instant.toString() prints.
            HandoverRecord whole = new HandoverRecord("scratch", "mds01", "launch-d", null, "i-000000000000000d4", 1,
                    "SERVING", T, T.plusSeconds(5), 1.0, 1.0, 1.0, 5.0, null);
            HandoverRecord fraction = new HandoverRecord("scratch", "mds01", "launch-e", "i-000000000000000d4",
                    "i-000000000000000e5", 2, "SERVING", T, T.plusMillis(5250), 1.0, 1.0, 1.0, 5.25, null);
            history.record(fraction);
            history.record(whole);
            assertEquals(Optional.of(fraction), history.latest(new FileSystemName("scratch"), RoleId.parse("mds01")));
            Map<String, AttributeValue> item = dynamo.query(q -> q.tableName("HistoryTable")
                    .keyConditionExpression("fileSystem = :fs").expressionAttributeValues(Map.of(":fs",
                            AttributeValue.fromS("scratch")))).items().stream()
                    .filter(i -> i.get("execution").s().equals("launch-a")).findFirst().orElseThrow();
            assertEquals(Long.toString(T.plusSeconds(40).plus(DynamoHandoverHistory.KEEP).getEpochSecond()),
                    item.get("expiresAt").n(), "kept 90 days, then DynamoDB's TTL removes it");
        }
    }
}
