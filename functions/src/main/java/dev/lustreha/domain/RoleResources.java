package dev.lustreha.domain;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What a role owns in EC2, as the pool provisioner registered it: its ENI and its volumes. */
public record RoleResources(RoleKey role, String availabilityZone, NetworkIdentity network, List<Volume> volumes) {

    public RoleResources {
        if (role == null || network == null || volumes == null) {
            throw new IllegalArgumentException("role resources need a role, an ENI and a volume list");
        }
        if (availabilityZone == null || availabilityZone.isBlank()) {
            throw new IllegalArgumentException("resources of " + role + " need an availability zone");
        }
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("role " + role + " needs at least one volume");
        }
        volumes = List.copyOf(volumes);
        Set<String> ids = new HashSet<>();
        Set<String> devices = new HashSet<>();
        for (Volume v : volumes) {
            if (!ids.add(v.volumeId())) {
                throw new IllegalArgumentException("volume " + v.volumeId() + " listed twice for " + role);
            }
            if (!devices.add(v.device())) {
                throw new IllegalArgumentException("device " + v.device() + " used twice for " + role);
            }
        }
    }
}
