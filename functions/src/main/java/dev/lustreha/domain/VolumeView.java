package dev.lustreha.domain;

import java.util.Optional;

/**
 * What lustre-ha reads of an EBS volume.
 *
 * @param state {@code creating|available|in-use|deleting|deleted|error}
 * @param attachment its one attachment (Multi-Attach is never on), absent when detached
 */
public record VolumeView(String volumeId, String availabilityZone, String state, Optional<Attachment> attachment) {

    /** @param state {@code attaching|attached|detaching|busy} */
    public record Attachment(String instanceId, String device, String state) {
    }

    public boolean isAvailable() {
        return "available".equals(state) && attachment.isEmpty();
    }

    public boolean isAttachedTo(String instanceId) {
        return attachment.filter(a -> a.instanceId().equals(instanceId)).isPresent();
    }
}
