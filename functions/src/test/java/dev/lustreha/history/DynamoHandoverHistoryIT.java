package dev.lustreha.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.errors.StoreException;
import dev.lustreha.local.Repository;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The History table's adapter on DynamoDB Local with the template's table. */
class DynamoHandoverHistoryIT {

    private static DynamoDbLocal local;
    private static DynamoDbClient client;
    private static DynamoHandoverHistory history;

    @BeforeAll
    static void start() {
        local = DynamoDbLocal.startWithTables(Repository.file("template.yaml"));
        client = local.newClient();
        history = new DynamoHandoverHistory(client, "HistoryTable");
    }

    @AfterAll
    static void stop() {
        client.close();
        local.close();
    }

    private static HandoverRecord record(String fs, String role, String execution, String from, Instant completed) {
        return new HandoverRecord(fs, role, execution, from, "i-0b0000000000000" + execution.length(), 2, "SERVING",
                completed.minusSeconds(20), completed, 10.4, 0.4, 10.6, 22.7, null);
    }

    @Test
    void theLatestIsTheOneThatCompletedLastEvenAcrossWholeAndFractionalSeconds() {
        FileSystemName fs = new FileSystemName("hist1");
        // Instant.toString() gives "...:05Z" and "...:05.250Z": as strings, the later would sort first.
        HandoverRecord whole = record("hist1", "oss02", "launch-a", "i-0a00000000000001", Instant.parse("2026-11-21T10:00:05Z"));
        HandoverRecord later = record("hist1", "oss02", "launch-b", "i-0a00000000000002",
                Instant.parse("2026-11-21T10:00:05.250Z"));
        HandoverRecord earlier = record("hist1", "oss02", "launch-c", null, Instant.parse("2026-11-21T09:59:59.999Z"));
        history.record(whole);
        history.record(later);
        history.record(earlier);
        assertEquals(Optional.of(later), history.latest(fs, RoleId.parse("oss02")));
    }

    @Test
    void aRolesRecordsAreItsOwnAndAbsentFieldsStayAbsent() {
        FileSystemName fs = new FileSystemName("hist2");
        HandoverRecord oss10 = record("hist2", "oss10", "launch-x", null, Instant.parse("2026-11-21T10:00:00Z"));
        HandoverRecord failed = new HandoverRecord("hist2", "oss100", "launch-y", "i-0a00000000000003",
                "i-0a00000000000004", 5, "FAILED", Instant.parse("2026-11-21T10:01:00Z"),
                Instant.parse("2026-11-21T10:11:00Z"), null, null, null, 600.0, "HandoverTimeoutException: fence");
        history.record(oss10);
        history.record(failed);
        history.record(record("hist3", "oss10", "launch-z", null, Instant.parse("2026-11-21T11:00:00Z")));
        assertEquals(Optional.of(oss10), history.latest(fs, RoleId.parse("oss10")));
        assertEquals(Optional.of(failed), history.latest(fs, RoleId.parse("oss100")));
        assertEquals(Optional.empty(), history.latest(fs, RoleId.parse("mgs")));

        Map<String, AttributeValue> item = client.getItem(g -> g.tableName("HistoryTable").consistentRead(true)
                .key(Map.of("fileSystem", AttributeValue.fromS("hist2"),
                        "handoverId", AttributeValue.fromS("oss10#2026-11-21T10:00:00.000Z#launch-x")))).item();
        assertTrue(!item.containsKey("fromInstance") && !item.containsKey("reason"), item.toString());
        assertEquals(Long.toString(Instant.parse("2026-11-21T10:00:00Z").plus(DynamoHandoverHistory.RETENTION)
                .getEpochSecond()), item.get("expiresAt").n());
    }

    @Test
    void aMissingTableIsAStoreException() {
        StoreException e = assertThrows(StoreException.class, () -> new DynamoHandoverHistory(client, "NoSuchTable")
                .latest(new FileSystemName("hist4"), RoleId.parse("mgs")));
        assertTrue(e.getMessage().startsWith("read the last handover of hist4/mgs: "), e.getMessage());
    }
}
