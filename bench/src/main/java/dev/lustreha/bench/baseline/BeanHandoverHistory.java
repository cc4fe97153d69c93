package dev.lustreha.bench.baseline;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.history.DynamoHandoverHistory;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.history.HandoverRecord;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/**
 * BENCHMARK BASELINE ONLY, never deployed: handover records written through the enhanced client
 * with a reflection-based bean schema. Same item layout as {@code DynamoHandoverHistory};
 * {@link #latest} (no handler's benchmark event reads it) is not implemented.
 */
final class BeanHandoverHistory implements HandoverHistory {

    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final DynamoDbTable<HistoryBean> table;

    BeanHandoverHistory(DynamoDbEnhancedClient enhanced, String table) {
        this.table = enhanced.table(table, TableSchema.fromBean(HistoryBean.class));
    }

    @Override
    public void record(HandoverRecord r) {
        HistoryBean b = new HistoryBean();
        b.setFileSystem(r.fileSystem());
        b.setHandoverId(r.roleId() + "#" + SORTABLE.format(r.completedAt()) + "#" + r.execution());
        b.setRoleId(r.roleId());
        b.setExecution(r.execution());
        b.setFromInstance(r.fromInstance());
        b.setToInstance(r.toInstance());
        b.setEpoch(r.epoch());
        b.setOutcome(r.outcome());
        b.setStartedAt(r.startedAt().toString());
        b.setCompletedAt(r.completedAt().toString());
        b.setFenceSeconds(r.fenceSeconds());
        b.setDetachSeconds(r.detachSeconds());
        b.setAttachSeconds(r.attachSeconds());
        b.setTotalSeconds(r.totalSeconds());
        b.setReason(r.reason());
        b.setExpiresAt(r.completedAt().plus(DynamoHandoverHistory.KEEP).getEpochSecond());
        table.putItem(b);
    }

    @Override
    public Optional<HandoverRecord> latest(FileSystemName fileSystem, RoleId role) {
        throw new UnsupportedOperationException("the benchmark baseline does not read the history");
    }
}
