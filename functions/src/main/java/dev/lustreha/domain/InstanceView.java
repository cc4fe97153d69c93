package dev.lustreha.domain;

import java.util.Map;

/** What lustre-ha reads of an EC2 instance. */
public record InstanceView(String instanceId, InstanceState state, String availabilityZone, Map<String, String> tags) {

    public InstanceView {
        tags = Map.copyOf(tags);
    }
}
