package dev.lustreha.bench.baseline;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/** BENCHMARK BASELINE ONLY: a History table item (one handover's record) as a reflection-mapped bean. */
@DynamoDbBean
public class HistoryBean {

    private String fileSystem;
    private String handoverId;
    private String roleId;
    private String execution;
    private String fromInstance;
    private String toInstance;
    private Long epoch;
    private String outcome;
    private String startedAt;
    private String completedAt;
    private Double fenceSeconds;
    private Double detachSeconds;
    private Double attachSeconds;
    private Double totalSeconds;
    private String reason;
    private Long expiresAt;

    @DynamoDbPartitionKey
    public String getFileSystem() {
        return fileSystem;
    }

    public void setFileSystem(String fileSystem) {
        this.fileSystem = fileSystem;
    }

    @DynamoDbSortKey
    public String getHandoverId() {
        return handoverId;
    }

    public void setHandoverId(String handoverId) {
        this.handoverId = handoverId;
    }

    public String getRoleId() {
        return roleId;
    }

    public void setRoleId(String roleId) {
        this.roleId = roleId;
    }

    public String getExecution() {
        return execution;
    }

    public void setExecution(String execution) {
        this.execution = execution;
    }

    public String getFromInstance() {
        return fromInstance;
    }

    public void setFromInstance(String fromInstance) {
        this.fromInstance = fromInstance;
    }

    public String getToInstance() {
        return toInstance;
    }

    public void setToInstance(String toInstance) {
        this.toInstance = toInstance;
    }

    public Long getEpoch() {
        return epoch;
    }

    public void setEpoch(Long epoch) {
        this.epoch = epoch;
    }

    public String getOutcome() {
        return outcome;
    }

    public void setOutcome(String outcome) {
        this.outcome = outcome;
    }

    public String getStartedAt() {
        return startedAt;
    }

    public void setStartedAt(String startedAt) {
        this.startedAt = startedAt;
    }

    public String getCompletedAt() {
        return completedAt;
    }

    public void setCompletedAt(String completedAt) {
        this.completedAt = completedAt;
    }

    public Double getFenceSeconds() {
        return fenceSeconds;
    }

    public void setFenceSeconds(Double fenceSeconds) {
        this.fenceSeconds = fenceSeconds;
    }

    public Double getDetachSeconds() {
        return detachSeconds;
    }

    public void setDetachSeconds(Double detachSeconds) {
        this.detachSeconds = detachSeconds;
    }

    public Double getAttachSeconds() {
        return attachSeconds;
    }

    public void setAttachSeconds(Double attachSeconds) {
        this.attachSeconds = attachSeconds;
    }

    public Double getTotalSeconds() {
        return totalSeconds;
    }

    public void setTotalSeconds(Double totalSeconds) {
        this.totalSeconds = totalSeconds;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public Long getExpiresAt() {
        return expiresAt;
    }

    public void setExpiresAt(Long expiresAt) {
        this.expiresAt = expiresAt;
    }
}
