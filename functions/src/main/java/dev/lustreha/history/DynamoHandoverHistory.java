package dev.lustreha.history;

import static dev.lustreha.roles.DynamoCalls.call;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Handover records in the History table: hash key {@code fileSystem}, range key
 * {@code handoverId = <roleId>#<completedAt, nine fraction digits>#<execution>} (so one role's records
 * sort by time), and
 * {@code expiresAt} (epoch seconds) for DynamoDB's TTL.
 */
public final class DynamoHandoverHistory implements HandoverHistory {

    /** How long a record is kept. */
    public static final Duration KEEP = Duration.ofDays(90);

    /**
     * The key's time, always with nine fraction digits: Instant.toString() drops a zero fraction,
     * and "...:05Z" sorts after "...:05.250Z" although it is earlier.
     */
    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoHandoverHistory(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void record(HandoverRecord r) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("fileSystem", s(r.fileSystem()));
        item.put("handoverId", s(r.roleId() + "#" + SORTABLE.format(r.completedAt()) + "#" + r.execution()));
        item.put("roleId", s(r.roleId()));
        item.put("execution", s(r.execution()));
        put(item, "fromInstance", r.fromInstance());
        item.put("toInstance", s(r.toInstance()));
        item.put("epoch", n(r.epoch()));
        item.put("outcome", s(r.outcome()));
        item.put("startedAt", s(r.startedAt().toString()));
        item.put("completedAt", s(r.completedAt().toString()));
        put(item, "fenceSeconds", r.fenceSeconds());
        put(item, "detachSeconds", r.detachSeconds());
        put(item, "attachSeconds", r.attachSeconds());
        put(item, "totalSeconds", r.totalSeconds());
        put(item, "reason", r.reason());
        item.put("expiresAt", n(r.completedAt().plus(KEEP).getEpochSecond()));
        call("record handover of " + r.roleId(), () -> dynamo.putItem(p -> p.tableName(table).item(item)));
    }

    @Override
    public Optional<HandoverRecord> latest(FileSystemName fileSystem, RoleId role) {
        List<Map<String, AttributeValue>> items = call("latest handover of " + role, () -> dynamo.query(q -> q
                .tableName(table)
                .keyConditionExpression("fileSystem = :fs AND begins_with(handoverId, :role)")
                .expressionAttributeValues(Map.of(":fs", s(fileSystem.value()), ":role", s(role.value() + "#")))
                .scanIndexForward(false)
                .limit(1)
                .consistentRead(true)).items());
        return items.stream().findFirst().map(DynamoHandoverHistory::decode);
    }

    private static HandoverRecord decode(Map<String, AttributeValue> i) {
        return new HandoverRecord(text(i, "fileSystem"), text(i, "roleId"), text(i, "execution"), text(i, "fromInstance"),
                text(i, "toInstance"), Long.parseLong(i.get("epoch").n()), text(i, "outcome"),
                Instant.parse(text(i, "startedAt")), Instant.parse(text(i, "completedAt")), number(i, "fenceSeconds"),
                number(i, "detachSeconds"), number(i, "attachSeconds"), number(i, "totalSeconds"), text(i, "reason"));
    }

    private static String text(Map<String, AttributeValue> i, String name) {
        AttributeValue v = i.get(name);
        return v == null ? null : v.s();
    }

    private static Double number(Map<String, AttributeValue> i, String name) {
        AttributeValue v = i.get(name);
        return v == null ? null : Double.valueOf(v.n());
    }

    private static void put(Map<String, AttributeValue> item, String name, Object value) {
        if (value instanceof String text) {
            item.put(name, s(text));
        } else if (value instanceof Double d) {
            item.put(name, AttributeValue.fromN(Double.toString(d)));
        }
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
