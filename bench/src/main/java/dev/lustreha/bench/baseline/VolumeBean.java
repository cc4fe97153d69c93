package dev.lustreha.bench.baseline;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;

/** BENCHMARK BASELINE ONLY: one volume of a {@link ResourcesBean}, a nested reflection-mapped bean. */
@DynamoDbBean
public class VolumeBean {

    private String volumeId;
    private String device;
    private String targetLabel;

    public String getVolumeId() {
        return volumeId;
    }

    public void setVolumeId(String volumeId) {
        this.volumeId = volumeId;
    }

    public String getDevice() {
        return device;
    }

    public void setDevice(String device) {
        this.device = device;
    }

    public String getTargetLabel() {
        return targetLabel;
    }

    public void setTargetLabel(String targetLabel) {
        this.targetLabel = targetLabel;
    }
}
