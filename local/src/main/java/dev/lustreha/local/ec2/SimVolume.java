package dev.lustreha.local.ec2;

import dev.lustreha.local.cloud.SimClock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeState;

/** A simulated EBS volume with at most one attachment (Multi-Attach is never on). */
final class SimVolume {
    final String id;
    final String az;
    final int sizeGiB;
    final String volumeType;
    final Integer iops;
    final Integer throughput;
    final boolean encrypted;
    final Instant createTime;
    final String clientToken;
    /** The customer managed key of an encrypted volume, as requested; null for the AWS managed key. */
    String kmsKeyId;
    final Map<String, String> tags = new LinkedHashMap<>();
    VolumeState state = VolumeState.CREATING;

    /** The attachment, or null when detached. */
    Attachment attachment;
    /** Until then, a detach without Force leaves the attachment {@code busy} (an injected fault). */
    Instant stuckUntil;

    static final class Attachment {
        final String instanceId;
        final String device;
        final Instant attachTime;
        final boolean deleteOnTermination;
        VolumeAttachmentState state = VolumeAttachmentState.ATTACHING;
        SimClock.Timer transition;

        Attachment(String instanceId, String device, Instant attachTime, boolean deleteOnTermination) {
            this.instanceId = instanceId;
            this.device = device;
            this.attachTime = attachTime;
            this.deleteOnTermination = deleteOnTermination;
        }
    }

    SimVolume(String id, String az, int sizeGiB, String volumeType, Integer iops, Integer throughput,
            boolean encrypted, Instant createTime, String clientToken) {
        this.id = id;
        this.az = az;
        this.sizeGiB = sizeGiB;
        this.volumeType = volumeType;
        this.iops = iops;
        this.throughput = throughput;
        this.encrypted = encrypted;
        this.createTime = createTime;
        this.clientToken = clientToken;
    }
}
