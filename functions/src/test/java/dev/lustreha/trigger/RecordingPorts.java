package dev.lustreha.trigger;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.roles.RoleStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthRequest;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthResponse;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Fakes of the ports the triggers may touch, so a test can tell whether an event changed anything:
 * each records every call it takes (a mutating call is recorded even when it fails), and the AWS
 * clients fail any call but the one they expect.
 */
final class RecordingPorts {

    private RecordingPorts() {
    }

    /** Every call the ports saw, mutating or not, in order. */
    record Call(String port, String method, boolean mutating, String detail) {
        @Override
        public String toString() {
            return port + "." + method + "(" + detail + ")";
        }
    }

    /** Records starts; answers STARTED, or ALREADY_EXISTS when told to (a redelivered event). */
    static final class Starter implements ExecutionStarter {
        record Start(String arn, String name, String input) {
        }

        final List<Start> starts = new ArrayList<>();
        private final Started answer;

        Starter(Started answer) {
            this.answer = answer;
        }

        Started answer() {
            return answer;
        }

        @Override
        public Started start(String stateMachineArn, String name, String input) {
            starts.add(new Start(stateMachineArn, name, input));
            return answer;
        }
    }

    /** Records what the state-change trigger asks to fail over. */
    static final class RecordingFailover implements Failover {
        record Request(String deadOwner, List<String> roles) {
        }

        final List<Request> requests = new ArrayList<>();

        @Override
        public String failOver(String deadOwner, List<String> orphanedRoles) {
            requests.add(new Request(deadOwner, List.copyOf(orphanedRoles)));
            return "failed over";
        }
    }

    /**
     * EC2 and Auto Scaling clients for the state-change trigger's default failover: SetInstanceHealth
     * is recorded and answered; any other call throws (the SDK interfaces' default), which the fuzz
     * loop reports, as the trigger has no other business with EC2 or Auto Scaling. Plain classes,
     * not java.lang.reflect.Proxy: a proxy of Ec2Client loads every EC2 model class, seconds here.
     */
    static final class AwsFake {
        final List<SetInstanceHealthRequest> healthRequests = new ArrayList<>();
        final Ec2Client ec2 = new Ec2Client() {
            @Override
            public String serviceName() {
                return "ec2";
            }

            @Override
            public void close() {
            }
        };
        final AutoScalingClient autoScaling = new AutoScalingClient() {
            @Override
            public SetInstanceHealthResponse setInstanceHealth(SetInstanceHealthRequest request) {
                healthRequests.add(request);
                return SetInstanceHealthResponse.builder().build();
            }

            @Override
            public String serviceName() {
                return "autoscaling";
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * A role store with a fixed set of roles (see {@link #seeded()}). Reads answer from it; every
     * write is recorded; {@code markOrphaned} behaves like the conditional write of the real store
     * (owner, epoch and state must match, else the same exceptions), and a role can be set to lose
     * a race (a claim that lands between the trigger's read and its write).
     */
    static final class RoleStoreFake implements RoleStore {
        static final Instant T = Instant.parse("2026-11-21T10:00:00Z");
        /** Owns mgs and oss01 (held), oss02 (held, but claimed anew in a race) and oss04 (already ORPHANED). */
        static final String OWNER = "i-0a1b2c3d4e5f60002";
        /** Owns mds01 (SERVING). */
        static final String OTHER_OWNER = "i-0a1b2c3d4e5f60009";
        private static final Set<RoleState> HELD = EnumSet.of(RoleState.CLAIMED, RoleState.SERVING);
        private static final List<Role> SEED = List.of(
                role("mgs", RoleState.SERVING, OWNER, 3),
                role("mds01", RoleState.SERVING, OTHER_OWNER, 4),
                role("oss01", RoleState.CLAIMED, OWNER, 5),
                role("oss02", RoleState.SERVING, OWNER, 2),
                role("oss03", RoleState.VACANT, null, 0),
                role("oss04", RoleState.ORPHANED, OWNER, 7));

        final List<Call> calls = new ArrayList<>();
        /** The roles whose markOrphaned succeeded, in call order. */
        final List<String> orphaned = new ArrayList<>();
        private final Map<String, Role> roles = new LinkedHashMap<>();
        private final Set<String> racing;

        private RoleStoreFake(List<Role> roles, Set<String> racing) {
            roles.forEach(r -> this.roles.put(r.id().value(), r));
            this.racing = racing;
        }

        static RoleStoreFake seeded() {
            return new RoleStoreFake(SEED, Set.of("oss02"));
        }

        private static Role role(String id, RoleState state, String owner, long epoch) {
            return new Role(RoleKey.of("scratch", id), "us-east-1a", Optional.ofNullable(owner), Optional.empty(),
                    epoch, state, epoch <= 1, T, T, Optional.empty(), Optional.empty(), Optional.empty());
        }

        /** The roles a correct trigger orphans when {@code instanceId} dies: held by it, and not lost in a race. */
        List<String> orphanable(String instanceId) {
            return roles.values().stream()
                    .filter(r -> r.isOwnedBy(instanceId) && HELD.contains(r.state()) && !racing.contains(r.id().value()))
                    .map(r -> r.id().value()).toList();
        }

        List<Call> mutations() {
            return calls.stream().filter(Call::mutating).toList();
        }

        private void read(String method, Object detail) {
            calls.add(new Call("store", method, false, String.valueOf(detail)));
        }

        private void write(String method, Object detail) {
            calls.add(new Call("store", method, true, String.valueOf(detail)));
        }

        @Override
        public Optional<Role> load(RoleKey key) {
            read("load", key);
            return Optional.ofNullable(roles.get(key.id().value()));
        }

        @Override
        public List<Role> list(FileSystemName fileSystem) {
            read("list", fileSystem);
            return fileSystem.value().equals("scratch") ? List.copyOf(roles.values()) : List.of();
        }

        @Override
        public List<Role> list(FileSystemName fileSystem, RoleType type) {
            read("list", fileSystem + "," + type);
            return list(fileSystem).stream().filter(r -> r.type() == type).toList();
        }

        @Override
        public boolean createIfAbsent(Role role) {
            write("createIfAbsent", role.key());
            throw new UnsupportedOperationException("createIfAbsent");
        }

        @Override
        public void deleteVacant(RoleKey key) {
            write("deleteVacant", key);
            throw new UnsupportedOperationException("deleteVacant");
        }

        @Override
        public Role claim(Role seen, String newOwner, String execution) {
            write("claim", seen.key() + "," + newOwner);
            throw new UnsupportedOperationException("claim");
        }

        @Override
        public Role transition(RoleKey key, String owner, long epoch, RoleState to) {
            write("transition", key + "," + owner + "," + epoch + "," + to);
            throw new UnsupportedOperationException("transition");
        }

        @Override
        public Role release(RoleKey key, String owner, long epoch, String reason) {
            write("release", key + "," + owner + "," + epoch);
            throw new UnsupportedOperationException("release");
        }

        @Override
        public Role markOrphaned(RoleKey key, String owner, long epoch) {
            write("markOrphaned", key + "," + owner + "," + epoch);
            Role r = roles.get(key.id().value());
            if (r == null || !r.isOwnedBy(owner) || r.epoch() != epoch) {
                throw new StaleEpochException(r == null ? role(key.id().value(), RoleState.VACANT, null, 0) : r, owner,
                        epoch);
            }
            if (racing.contains(r.id().value())) {
                Role claimed = role(r.id().value(), RoleState.CLAIMED, "i-0a1b2c3d4e5f6ffff", epoch + 1);
                throw new StaleEpochException(claimed, owner, epoch);
            }
            if (!HELD.contains(r.state())) {
                throw new RoleStateConflictException(r, "orphan", HELD);
            }
            Role next = role(r.id().value(), RoleState.ORPHANED, owner, epoch);
            roles.put(r.id().value(), next);
            orphaned.add(r.id().value());
            return next;
        }

        @Override
        public Role markFormatted(RoleKey key, String owner, long epoch) {
            write("markFormatted", key + "," + owner + "," + epoch);
            throw new UnsupportedOperationException("markFormatted");
        }

        @Override
        public void registerResources(RoleResources resources) {
            write("registerResources", resources.role());
            throw new UnsupportedOperationException("registerResources");
        }

        @Override
        public Optional<RoleResources> resources(RoleKey key) {
            read("resources", key);
            return Optional.empty();
        }

        @Override
        public List<RoleResources> resources(FileSystemName fileSystem) {
            read("resources", fileSystem);
            return List.of();
        }
    }
}
