package dev.lustreha.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.HealthPolicy;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleHealth;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.health.HealthAlarms;
import dev.lustreha.roles.HealthStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.trigger.RecordingPorts.RecordingFailover;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.SetAlarmStateRequest;
import software.amazon.awssdk.services.cloudwatch.model.SetAlarmStateResponse;

/**
 * The health trigger on the events/ fixtures: health-alarm.json is raised at 10:16:31 with its
 * three evaluated periods starting 10:16:00, 10:16:10 and 10:16:20.
 */
class HealthTriggerTest {

    private static final String OWNER = "i-0a1b2c3d4e5f60002";
    private static final Instant NOW = Instant.parse("2026-11-21T10:16:32Z");
    private static final RoleKey OSS01 = new RoleKey(new FileSystemName("scratch"), RoleId.parse("oss01"));

    /** The role store's reads and the health writes, with the real store's conditions on owner, epoch, state and mount. */
    static final class World implements RoleStore, HealthStore {
        Role role;
        final List<String> writes = new ArrayList<>();
        RuntimeException race;

        @Override
        public Optional<Role> load(RoleKey key) {
            return key.equals(OSS01) ? Optional.ofNullable(role) : Optional.empty();
        }

        @Override
        public void orphanOnHealth(RoleKey key, String owner, long epoch, List<Instant> failovers, String reason) {
            writes.add("orphan " + key.id() + "@" + epoch + " " + failovers);
            if (race != null) {
                throw race;
            }
        }

        @Override
        public void holdOnHealth(RoleKey key, String owner, long epoch, String hold) {
            writes.add("hold " + key.id() + "@" + epoch);
        }

        @Override
        public void markMounted(RoleKey key, String owner, long epoch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Role> list(FileSystemName fileSystem) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Role> list(FileSystemName fileSystem, RoleType type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean createIfAbsent(Role role) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void deleteVacant(RoleKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Role claim(Role seen, String newOwner, String execution) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Role transition(RoleKey key, String owner, long epoch, RoleState to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Role release(RoleKey key, String owner, long epoch, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Role markOrphaned(RoleKey key, String owner, long epoch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Role markFormatted(RoleKey key, String owner, long epoch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void registerResources(RoleResources resources) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<RoleResources> resources(RoleKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<RoleResources> resources(FileSystemName fileSystem) {
            throw new UnsupportedOperationException();
        }
    }

    /** Records SetAlarmState; any other CloudWatch call fails (the interface's default). */
    static final class CloudWatchFake implements CloudWatchClient {
        final List<SetAlarmStateRequest> rearmed = new ArrayList<>();

        @Override
        public SetAlarmStateResponse setAlarmState(SetAlarmStateRequest request) {
            rearmed.add(request);
            return SetAlarmStateResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return "monitoring";
        }

        @Override
        public void close() {
        }
    }

    private final World world = new World();
    private final CloudWatchFake cloudWatch = new CloudWatchFake();
    private final RecordingFailover failover = new RecordingFailover();
    private final List<String> metrics = new ArrayList<>();
    private final HealthTrigger trigger = new HealthTrigger(Fixtures.CONFIG, world, world, new HealthAlarms(cloudWatch),
            failover, new HealthPolicy(3, Duration.ofMinutes(30)), HealthAlarmSpec.DEFAULT,
            Clock.fixed(NOW, ZoneOffset.UTC), metrics::add);

    private static Role serving(long epoch, Long mountedEpoch, Instant mountedAt, List<Instant> failovers) {
        return new Role(OSS01, "us-east-1a", Optional.of(OWNER), Optional.empty(), epoch, RoleState.SERVING, false,
                mountedAt, mountedAt, Optional.of(mountedAt), Optional.empty(), Optional.empty(),
                new RoleHealth(Optional.ofNullable(mountedEpoch), Optional.ofNullable(mountedEpoch).map(e -> mountedAt),
                        failovers, Optional.empty()));
    }

    private boolean nothingChanged() {
        return world.writes.isEmpty() && cloudWatch.rearmed.isEmpty() && failover.requests.isEmpty() && metrics.isEmpty();
    }

    @Test
    void anAlarmAboutTheCurrentOwnerOrphansTheRoleAndFailsItOver() {
        world.role = serving(5, 5L, Instant.parse("2026-11-21T10:15:00Z"), List.of());
        TriggerResult r = trigger.handle(Fixtures.json("health-alarm.json"));
        assertEquals("ORPHANED", r.action(), r.reason());
        assertEquals(List.of("orphan oss01@5 [" + NOW + "]"), world.writes);
        assertEquals(List.of(new RecordingFailover.Request(OWNER, List.of("oss01"))), failover.requests);
        assertEquals(1, metrics.size());
        assertTrue(metrics.get(0).contains("\"HealthFailovers\":1.0"), metrics.get(0));
        assertEquals(List.of(), cloudWatch.rearmed);
    }

    @Test
    void anAlarmWhoseWindowBeganBeforeTheMountIsIgnoredAndReArmed() {
        // Mounted at 10:16:05: the period of 10:16:00 holds the handover's silence.
        world.role = serving(5, 5L, Instant.parse("2026-11-21T10:16:05Z"), List.of());
        TriggerResult r = trigger.handle(Fixtures.json("health-alarm.json"));
        assertEquals("NOOP", r.action());
        assertEquals(List.of(), world.writes);
        assertEquals(List.of(), failover.requests);
        assertEquals(1, cloudWatch.rearmed.size());
        assertEquals("lustre-ha-scratch-oss01-health", cloudWatch.rearmed.get(0).alarmName());
        assertEquals("OK", cloudWatch.rearmed.get(0).stateValueAsString());
    }

    @Test
    void anAlarmWhileTheNewOwnerHasNotMountedChangesNothing() {
        world.role = serving(6, 5L, Instant.parse("2026-11-21T10:00:00Z"), List.of());
        assertEquals("NOOP", trigger.handle(Fixtures.json("health-alarm.json")).action());
        assertTrue(nothingChanged());
    }

    @Test
    void aRoleMovedThreeTimesInTheWindowIsHeldNotMoved() {
        List<Instant> three = List.of(NOW.minusSeconds(1500), NOW.minusSeconds(1000), NOW.minusSeconds(500));
        world.role = serving(8, 8L, Instant.parse("2026-11-21T10:15:00Z"), three);
        TriggerResult r = trigger.handle(Fixtures.json("health-alarm.json"));
        assertEquals("HELD", r.action(), r.reason());
        assertEquals(List.of("hold oss01@8"), world.writes);
        assertEquals(List.of(), failover.requests);
        assertEquals(List.of(), cloudWatch.rearmed, "a held role keeps its alarm raised");
        assertTrue(metrics.get(0).contains("\"HealthFailoversDamped\":1.0"), metrics.get(0));
    }

    @Test
    void aClaimThatLandsBetweenTheReadAndTheWriteWins() {
        world.role = serving(5, 5L, Instant.parse("2026-11-21T10:15:00Z"), List.of());
        world.race = new StaleEpochException(serving(6, 5L, Instant.parse("2026-11-21T10:15:00Z"), List.of()), OWNER, 5);
        TriggerResult r = trigger.handle(Fixtures.json("health-alarm.json"));
        assertEquals("NOOP", r.action());
        assertEquals(List.of(), failover.requests);
        assertEquals(List.of(), metrics);
    }

    @Test
    void clearedForeignAndMalformedAlarmsChangeNothing() {
        world.role = serving(5, 5L, Instant.parse("2026-11-21T10:15:00Z"), List.of());
        assertEquals("NOOP", trigger.handle(Fixtures.json("health-alarm-ok.json")).action());
        assertEquals("IGNORED", trigger.handle(Fixtures.json("foreign-alarm.json")).action());
        assertEquals("REJECTED", trigger.handle(Fixtures.json("malformed-alarm-no-reason-data.json")).action());
        assertEquals("REJECTED", trigger.handle(Fixtures.json("malformed-alarm-state.json")).action());
        assertEquals("REJECTED", trigger.handle(Fixtures.json("state-change-stopped.json")).action());
        ObjectNode noName = (ObjectNode) Fixtures.json("health-alarm.json");
        ((ObjectNode) noName.get("detail")).put("alarmName", 7);
        assertEquals("REJECTED", trigger.handle(noName).action());
        ObjectNode garbledReason = (ObjectNode) Fixtures.json("health-alarm.json");
        ((ObjectNode) garbledReason.get("detail").get("state")).put("reasonData", "{\"startDate\": \"yesterday\"}");
        assertEquals("REJECTED", trigger.handle(garbledReason).action());
        assertEquals("REJECTED", trigger.handle(Json.MAPPER.createArrayNode()).action());
        assertTrue(nothingChanged(), world.writes + " " + cloudWatch.rearmed + " " + failover.requests);
    }

    @Test
    void theWindowIsPlacedFromTheNewestDatapointBackOrTheOldestWhicheverIsEarlier() {
        ObjectNode state = Json.MAPPER.createObjectNode();
        state.put("reasonData", "{\"startDate\":\"2026-11-21T10:16:20.000+0000\",\"period\":10}");
        assertEquals(Optional.of(Instant.parse("2026-11-21T10:16:00Z")), trigger.windowStart(state));
        state.put("reasonData", "{\"startDate\":\"2026-11-21T10:15:00.000+0000\",\"evaluatedDatapoints\":"
                + "[{\"timestamp\":\"2026-11-21T10:16:20.000+0000\"}]}");
        assertEquals(Optional.of(Instant.parse("2026-11-21T10:15:00Z")), trigger.windowStart(state));
        state.put("reasonData", "not json");
        assertEquals(Optional.empty(), trigger.windowStart(state));
    }
}
