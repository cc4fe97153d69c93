package dev.lustreha.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoleResourcesTest {

    private static final RoleKey KEY = RoleKey.of("scratch", "oss01");
    private static final NetworkIdentity ENI = new NetworkIdentity("eni-0123456789abcdef0", "10.0.1.11");

    @Test
    void keepsItsOwnCopyOfTheVolumes() {
        List<Volume> volumes = new ArrayList<>(List.of(new Volume("vol-0123456789abcdef0", "/dev/sdf", "scratch-OST0000")));
        RoleResources resources = new RoleResources(KEY, "us-east-1a", ENI, volumes);
        volumes.clear();
        assertEquals(1, resources.volumes().size());
    }

    @Test
    void rejectsADeviceOrVolumeUsedTwice() {
        assertThrows(IllegalArgumentException.class, () -> new RoleResources(KEY, "us-east-1a", ENI, List.of(
                new Volume("vol-0123456789abcdef0", "/dev/sdf", "scratch-OST0000"),
                new Volume("vol-0123456789abcdef1", "/dev/sdf", "scratch-OST0001"))));
        assertThrows(IllegalArgumentException.class, () -> new RoleResources(KEY, "us-east-1a", ENI, List.of(
                new Volume("vol-0123456789abcdef0", "/dev/sdf", "scratch-OST0000"),
                new Volume("vol-0123456789abcdef0", "/dev/sdg", "scratch-OST0001"))));
        assertThrows(IllegalArgumentException.class, () -> new RoleResources(KEY, "us-east-1a", ENI, List.of()));
    }

    @Test
    void rejectsMalformedIdentifiers() {
        assertThrows(IllegalArgumentException.class, () -> new Volume("vol-xyz", "/dev/sdf", "t"));
        assertThrows(IllegalArgumentException.class, () -> new Volume("vol-0123456789abcdef0", "/dev/sda", "t"),
                "root-device names are not ours to use");
        assertThrows(IllegalArgumentException.class, () -> new Volume("vol-0123456789abcdef0", "/dev/sdq", "t"));
        assertThrows(IllegalArgumentException.class, () -> new NetworkIdentity("eni-0123456789abcdef0", "10.0.1.256"));
        assertThrows(IllegalArgumentException.class, () -> new NetworkIdentity("i-0123456789abcdef0", "10.0.1.1"));
    }

    @Test
    void aRoleHasAnOwnerExactlyWhenItIsNotVacant() {
        Instant now = Instant.parse("2026-11-21T10:00:00Z");
        assertThrows(IllegalArgumentException.class, () -> new Role(KEY, "us-east-1a", Optional.empty(),
                Optional.empty(), 1, RoleState.SERVING, false, now, now, Optional.empty(), Optional.empty(),
                Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Role(KEY, "us-east-1a", Optional.of("i-0a"),
                Optional.empty(), 0, RoleState.VACANT, true, now, now, Optional.empty(), Optional.empty(),
                Optional.empty()));
        Role vacant = Role.vacant(KEY, "us-east-1a", now);
        assertEquals(0, vacant.epoch());
        assertEquals(true, vacant.needsFormat());
    }
}
