package dev.lustreha.local.ec2;

import dev.lustreha.local.cloud.SimClock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.AttachmentStatus;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceStatus;

/** A simulated ENI; its private IP, MAC and security groups move with it. */
final class SimNetworkInterface {
    final String id;
    final String subnetId;
    final String vpcId;
    final String az;
    final String privateIp;
    final String macAddress;
    final String description;
    final String clientToken;
    final Map<String, String> tags = new LinkedHashMap<>();
    NetworkInterfaceStatus status = NetworkInterfaceStatus.AVAILABLE;
    Attachment attachment;

    static final class Attachment {
        final String attachmentId;
        final String instanceId;
        final int deviceIndex;
        final Instant attachTime;
        final boolean deleteOnTermination;
        AttachmentStatus status = AttachmentStatus.ATTACHING;
        SimClock.Timer transition;

        Attachment(String attachmentId, String instanceId, int deviceIndex, Instant attachTime,
                boolean deleteOnTermination) {
            this.attachmentId = attachmentId;
            this.instanceId = instanceId;
            this.deviceIndex = deviceIndex;
            this.attachTime = attachTime;
            this.deleteOnTermination = deleteOnTermination;
        }
    }

    SimNetworkInterface(String id, String subnetId, String vpcId, String az, String privateIp, String macAddress,
            String description, String clientToken) {
        this.id = id;
        this.subnetId = subnetId;
        this.vpcId = vpcId;
        this.az = az;
        this.privateIp = privateIp;
        this.macAddress = macAddress;
        this.description = description;
        this.clientToken = clientToken;
    }
}
