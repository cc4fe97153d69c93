package dev.lustreha.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small builders for planner tests. */
final class PlannerFixtures {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final String AZ = "us-east-1a";

    private PlannerFixtures() {
    }

    static InstanceView instance(String id, InstanceState state) {
        return new InstanceView(id, state, AZ, Map.of());
    }

    static InstanceView instance(String id, InstanceState state, String az) {
        return new InstanceView(id, state, az, Map.of());
    }

    static Role role(String id, RoleState state, String owner, long epoch) {
        return role(id, state, owner, epoch, AZ);
    }

    static Role role(String id, RoleState state, String owner, long epoch, String az) {
        return new Role(RoleKey.of("scratch", id), az, Optional.ofNullable(owner), Optional.empty(), epoch, state,
                epoch == 0, T0, T0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    static VolumeView volume(String id, String holder, String attachmentState) {
        return holder == null
                ? new VolumeView(id, AZ, "available", Optional.empty())
                : new VolumeView(id, AZ, "in-use", Optional.of(new VolumeView.Attachment(holder, "/dev/sdf", attachmentState)));
    }

    static EniView eni(String holder, String status) {
        return holder == null
                ? new EniView("eni-0000000000000000a", AZ, "available", Optional.empty())
                : new EniView("eni-0000000000000000a", AZ, "in-use",
                        Optional.of(new EniView.Attachment("eni-attach-0000000000000000a", holder, 1, status)));
    }

    static RoleResources resources(String... volumeIds) {
        List<Volume> vs = new java.util.ArrayList<>();
        char d = 'f';
        for (String v : volumeIds) {
            vs.add(new Volume(v, "/dev/sd" + d++, "scratch-OST000" + vs.size()));
        }
        return new RoleResources(RoleKey.of("scratch", "oss01"), AZ,
                new NetworkIdentity("eni-0000000000000000a", "10.0.1.11"), vs);
    }
}
