package dev.lustreha.bench.baseline;

import java.util.List;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/** BENCHMARK BASELINE ONLY: a Resources table item (a role's ENI and volumes) as a reflection-mapped bean. */
@DynamoDbBean
public class ResourcesBean {

    private String fileSystem;
    private String roleId;
    private String availabilityZone;
    private String eniId;
    private String privateIp;
    private List<VolumeBean> volumes;

    @DynamoDbPartitionKey
    public String getFileSystem() {
        return fileSystem;
    }

    public void setFileSystem(String fileSystem) {
        this.fileSystem = fileSystem;
    }

    @DynamoDbSortKey
    public String getRoleId() {
        return roleId;
    }

    public void setRoleId(String roleId) {
        this.roleId = roleId;
    }

    public String getAvailabilityZone() {
        return availabilityZone;
    }

    public void setAvailabilityZone(String availabilityZone) {
        this.availabilityZone = availabilityZone;
    }

    public String getEniId() {
        return eniId;
    }

    public void setEniId(String eniId) {
        this.eniId = eniId;
    }

    public String getPrivateIp() {
        return privateIp;
    }

    public void setPrivateIp(String privateIp) {
        this.privateIp = privateIp;
    }

    public List<VolumeBean> getVolumes() {
        return volumes;
    }

    public void setVolumes(List<VolumeBean> volumes) {
        this.volumes = volumes;
    }
}
