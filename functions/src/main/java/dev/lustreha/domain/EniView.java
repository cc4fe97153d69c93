package dev.lustreha.domain;

import java.util.Optional;

/**
 * What lustre-ha reads of an ENI.
 *
 * @param status {@code available|attaching|in-use|detaching}
 */
public record EniView(String eniId, String availabilityZone, String status, Optional<Attachment> attachment) {

    /** @param status {@code attaching|attached|detaching|detached} */
    public record Attachment(String attachmentId, String instanceId, int deviceIndex, String status) {
    }

    public boolean isAttachedTo(String instanceId) {
        return attachment.filter(a -> a.instanceId().equals(instanceId)).isPresent();
    }
}
