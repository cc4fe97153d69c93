package dev.lustreha.history;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.errors.StoreException;
import dev.lustreha.errors.StoreUnavailableException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * {@link HandoverHistory} on the stack's History table: keys {@code fileSystem} (hash) and
 * {@code handoverId} (range) = {@code <roleId>#<completedAt>#<execution>}, so one role's records
 * sort by completion time and the newest is one Query away. Records expire ({@code expiresAt}, the
 * table's TTL attribute) after {@link #RETENTION}.
 */
public final class DynamoHandoverHistory implements HandoverHistory {

    static final Duration RETENTION = Duration.ofDays(90);

    /**
     * Fixed width (always milliseconds), so that the string order of handover ids is time order:
     * {@link Instant#toString()} drops a zero fraction, and "…:05Z" would sort after "…:05.250Z".
     */
    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final String FILE_SYSTEM = "fileSystem";
    private static final String HANDOVER_ID = "handoverId";
    private static final String ROLE_ID = "roleId";
    private static final String EXECUTION = "execution";
    private static final String FROM = "fromInstance";
    private static final String TO = "toInstance";
    private static final String EPOCH = "epoch";
    private static final String OUTCOME = "outcome";
    private static final String STARTED_AT = "startedAt";
    private static final String COMPLETED_AT = "completedAt";
    private static final String FENCE = "fenceSeconds";
    private static final String DETACH = "detachSeconds";
    private static final String ATTACH = "attachSeconds";
    private static final String TOTAL = "totalSeconds";
    private static final String REASON = "reason";
    private static final String EXPIRES_AT = "expiresAt";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoHandoverHistory(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static String handoverId(String roleId, Instant completedAt, String execution) {
        return roleId + "#" + SORTABLE.format(completedAt) + "#" + execution;
    }

    @Override
    public void record(HandoverRecord r) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(FILE_SYSTEM, s(r.fileSystem()));
        item.put(HANDOVER_ID, s(handoverId(r.roleId(), r.completedAt(), r.execution())));
        item.put(ROLE_ID, s(r.roleId()));
        item.put(EXECUTION, s(r.execution()));
        optional(item, FROM, r.fromInstance());
        item.put(TO, s(r.toInstance()));
        item.put(EPOCH, AttributeValue.fromN(Long.toString(r.epoch())));
        item.put(OUTCOME, s(r.outcome()));
        item.put(STARTED_AT, s(r.startedAt().toString()));
        item.put(COMPLETED_AT, s(r.completedAt().toString()));
        seconds(item, FENCE, r.fenceSeconds());
        seconds(item, DETACH, r.detachSeconds());
        seconds(item, ATTACH, r.attachSeconds());
        seconds(item, TOTAL, r.totalSeconds());
        optional(item, REASON, r.reason());
        item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(r.completedAt().plus(RETENTION).getEpochSecond())));
        // The same handover recorded twice (a retried step) writes the same key: an idempotent put.
        call("record a handover of " + r.fileSystem() + "/" + r.roleId(),
                () -> dynamo.putItem(p -> p.tableName(table).item(item)));
    }

    @Override
    public Optional<HandoverRecord> latest(FileSystemName fs, RoleId role) {
        return call("read the last handover of " + fs + "/" + role, () -> {
            List<Map<String, AttributeValue>> items = dynamo.query(q -> q.tableName(table)
                    .keyConditionExpression("#fs = :fs AND begins_with(#id, :role)")
                    .expressionAttributeNames(Map.of("#fs", FILE_SYSTEM, "#id", HANDOVER_ID))
                    .expressionAttributeValues(Map.of(":fs", s(fs.value()), ":role", s(role.value() + "#")))
                    .scanIndexForward(false)
                    .limit(1)
                    .consistentRead(true)).items();
            return items.isEmpty() ? Optional.<HandoverRecord>empty() : Optional.of(toRecord(items.get(0)));
        });
    }

    private static HandoverRecord toRecord(Map<String, AttributeValue> item) {
        return new HandoverRecord(str(item, FILE_SYSTEM), str(item, ROLE_ID), str(item, EXECUTION), str(item, FROM),
                str(item, TO), Long.parseLong(item.get(EPOCH).n()), str(item, OUTCOME),
                Instant.parse(str(item, STARTED_AT)), Instant.parse(str(item, COMPLETED_AT)), num(item, FENCE),
                num(item, DETACH), num(item, ATTACH), num(item, TOTAL), str(item, REASON));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static void optional(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static void seconds(Map<String, AttributeValue> item, String name, Double value) {
        if (value != null) {
            item.put(name, AttributeValue.fromN(Double.toString(value)));
        }
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Double num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : Double.valueOf(v.n());
    }

    /** One table operation, with storage SDK failures turned into lustre-ha's own (as the role store does). */
    private static <T> T call(String what, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (DynamoDbException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new StoreUnavailableException(what + ": " + e.getMessage(), e);
            }
            throw new StoreException(what + ": " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw new StoreUnavailableException(what + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new StoreException(what + ": " + e.getMessage(), e);
        } catch (NullPointerException | IllegalArgumentException | DateTimeException e) {
            // An item that does not decode (a missing attribute, a malformed number or time).
            throw new StoreException(what + ": malformed item: " + e.getMessage(), e);
        }
    }
}
