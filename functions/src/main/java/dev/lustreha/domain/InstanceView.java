package dev.lustreha.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What lustre-ha reads of an EC2 instance.
 *
 * @param launchedAt when EC2 launched it (DescribeInstances {@code LaunchTime}), when known: the
 *     reconciler gives a launching instance's lifecycle event this long to arrive before it acts
 */
public record InstanceView(String instanceId, InstanceState state, String availabilityZone, Map<String, String> tags,
        Optional<Instant> launchedAt) {

    public InstanceView {
        tags = Map.copyOf(tags);
        if (launchedAt == null) {
            throw new IllegalArgumentException("launchedAt is Optional, never null");
        }
    }

    /** An instance whose launch time does not matter to the caller. */
    public InstanceView(String instanceId, InstanceState state, String availabilityZone, Map<String, String> tags) {
        this(instanceId, state, availabilityZone, tags, Optional.empty());
    }
}
