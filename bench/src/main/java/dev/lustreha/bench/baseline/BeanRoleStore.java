package dev.lustreha.bench.baseline;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Volume;
import dev.lustreha.errors.ClaimConflictException;
import dev.lustreha.errors.ResourcesConflictException;
import dev.lustreha.errors.RoleNotFoundException;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.roles.RoleStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * BENCHMARK BASELINE ONLY, never deployed: the role store written the common unoptimised way,
 * with the enhanced client and reflection-based bean schemas ({@link TableSchema#fromBean}), so
 * the cold-start benchmark can compare it with the hand-written item mapping of
 * {@code DynamoRoleStore}. Writes are conditional puts of whole items (read, check, put only if
 * owner, epoch and state are still what was read): the same guarantees for the benchmark's events,
 * one more read per write. It does not map SDK failures to lustre-ha's exceptions, and
 * {@link #deleteVacant} (no benchmark event reaches it) is not implemented.
 */
final class BeanRoleStore implements RoleStore {

    private final DynamoDbTable<RoleBean> roles;
    private final DynamoDbTable<ResourcesBean> resources;
    private final Clock clock;

    BeanRoleStore(DynamoDbEnhancedClient enhanced, String rolesTable, String resourcesTable, Clock clock) {
        this.roles = enhanced.table(rolesTable, TableSchema.fromBean(RoleBean.class));
        this.resources = enhanced.table(resourcesTable, TableSchema.fromBean(ResourcesBean.class));
        this.clock = clock;
    }

    @Override
    public Optional<Role> load(RoleKey key) {
        return Optional.ofNullable(roles.getItem(GetItemEnhancedRequest.builder().key(key(key)).consistentRead(true)
                .build())).map(BeanRoleStore::toRole);
    }

    @Override
    public List<Role> list(FileSystemName fileSystem) {
        return query(roles, QueryConditional.keyEqualTo(partition(fileSystem)), BeanRoleStore::toRole).stream()
                .sorted(Comparator.comparing(Role::id)).toList();
    }

    @Override
    public List<Role> list(FileSystemName fileSystem, RoleType type) {
        Key prefix = Key.builder().partitionValue(fileSystem.value()).sortValue(type.prefix()).build();
        return query(roles, QueryConditional.sortBeginsWith(prefix), BeanRoleStore::toRole).stream()
                .filter(r -> r.type() == type).sorted(Comparator.comparing(Role::id)).toList();
    }

    @Override
    public boolean createIfAbsent(Role role) {
        try {
            roles.putItem(PutItemEnhancedRequest.builder(RoleBean.class).item(toBean(role))
                    .conditionExpression(Expression.builder().expression("attribute_not_exists(roleId)").build())
                    .build());
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    @Override
    public void deleteVacant(RoleKey key) {
        throw new UnsupportedOperationException("the benchmark baseline does not remove roles");
    }

    @Override
    public Role claim(Role seen, String newOwner, String execution) {
        Instant now = clock.instant();
        Role claimed = new Role(seen.key(), seen.availabilityZone(), Optional.of(newOwner), seen.owner(),
                seen.epoch() + 1, RoleState.CLAIMED, seen.needsFormat(), seen.createdAt(), now, Optional.of(now),
                Optional.of(execution), Optional.empty());
        try {
            roles.putItem(PutItemEnhancedRequest.builder(RoleBean.class).item(toBean(claimed))
                    .conditionExpression(Expression.builder().expression("epoch = :seen")
                            .expressionValues(Map.of(":seen", AttributeValue.fromN(Long.toString(seen.epoch()))))
                            .build())
                    .build());
            return claimed;
        } catch (ConditionalCheckFailedException e) {
            Role current = load(seen.key()).orElseThrow(() -> new RoleNotFoundException(seen.key(), "role"));
            throw new ClaimConflictException(current, seen.epoch());
        }
    }

    @Override
    public Role transition(RoleKey key, String owner, long epoch, RoleState to) {
        return ownedPut(key, owner, epoch, "move to " + to, to.reachableFrom(), to, null);
    }

    @Override
    public Role release(RoleKey key, String owner, long epoch, String reason) {
        return ownedPut(key, owner, epoch, "move to RELEASED", RoleState.RELEASED.reachableFrom(), RoleState.RELEASED,
                reason);
    }

    @Override
    public Role markOrphaned(RoleKey key, String owner, long epoch) {
        return transition(key, owner, epoch, RoleState.ORPHANED);
    }

    @Override
    public Role markFormatted(RoleKey key, String owner, long epoch) {
        Role current = current(key, owner, epoch, "record the format", EnumSet.of(RoleState.CLAIMED, RoleState.SERVING));
        Role next = new Role(key, current.availabilityZone(), current.owner(), current.previousOwner(), epoch,
                current.state(), false, current.createdAt(), clock.instant(), current.claimedAt(),
                current.lastExecution(), current.reason());
        return putIfUnchanged(current, next, owner, epoch);
    }

    private Role ownedPut(RoleKey key, String owner, long epoch, String action, Set<RoleState> allowed, RoleState to,
            String reason) {
        Role current = current(key, owner, epoch, action, allowed);
        Role next = new Role(key, current.availabilityZone(), current.owner(), current.previousOwner(), epoch, to,
                current.needsFormat(), current.createdAt(), clock.instant(), current.claimedAt(),
                current.lastExecution(), Optional.ofNullable(reason));
        return putIfUnchanged(current, next, owner, epoch);
    }

    /** The role as stored, if {@code owner} holds it at {@code epoch} in one of the allowed states. */
    private Role current(RoleKey key, String owner, long epoch, String action, Set<RoleState> allowed) {
        Role current = load(key).orElseThrow(() -> new RoleNotFoundException(key, "role"));
        if (!current.isOwnedBy(owner) || current.epoch() != epoch) {
            throw new StaleEpochException(current, owner, epoch);
        }
        if (!allowed.contains(current.state())) {
            throw new RoleStateConflictException(current, action, allowed);
        }
        return current;
    }

    private Role putIfUnchanged(Role read, Role next, String owner, long epoch) {
        try {
            roles.putItem(PutItemEnhancedRequest.builder(RoleBean.class).item(toBean(next))
                    .conditionExpression(Expression.builder()
                            .expression("#owner = :me AND epoch = :epoch AND #state = :state")
                            .expressionNames(Map.of("#owner", "owner", "#state", "state"))
                            .expressionValues(Map.of(":me", AttributeValue.fromS(owner),
                                    ":epoch", AttributeValue.fromN(Long.toString(epoch)),
                                    ":state", AttributeValue.fromS(read.state().name())))
                            .build())
                    .build());
            return next;
        } catch (ConditionalCheckFailedException e) {
            Role current = load(read.key()).orElseThrow(() -> new RoleNotFoundException(read.key(), "role"));
            throw new StaleEpochException(current, owner, epoch);
        }
    }

    @Override
    public void registerResources(RoleResources offered) {
        try {
            resources.putItem(PutItemEnhancedRequest.builder(ResourcesBean.class).item(toBean(offered))
                    .conditionExpression(Expression.builder().expression("attribute_not_exists(roleId)").build())
                    .build());
        } catch (ConditionalCheckFailedException e) {
            RoleResources existing = resources(offered.role()).orElseThrow();
            if (!existing.equals(offered)) {
                throw new ResourcesConflictException(existing, offered);
            }
        }
    }

    @Override
    public Optional<RoleResources> resources(RoleKey key) {
        return Optional.ofNullable(resources.getItem(GetItemEnhancedRequest.builder().key(key(key))
                .consistentRead(true).build())).map(BeanRoleStore::toResources);
    }

    @Override
    public List<RoleResources> resources(FileSystemName fileSystem) {
        return query(resources, QueryConditional.keyEqualTo(partition(fileSystem)), BeanRoleStore::toResources)
                .stream().sorted(Comparator.comparing(r -> r.role().id())).toList();
    }

    private static <B, T> List<T> query(DynamoDbTable<B> table, QueryConditional condition,
            java.util.function.Function<B, T> decode) {
        List<T> out = new ArrayList<>();
        table.query(QueryEnhancedRequest.builder().queryConditional(condition).consistentRead(true).build())
                .items().forEach(b -> out.add(decode.apply(b)));
        return out;
    }

    private static Key partition(FileSystemName fileSystem) {
        return Key.builder().partitionValue(fileSystem.value()).build();
    }

    private static Key key(RoleKey key) {
        return Key.builder().partitionValue(key.fileSystem().value()).sortValue(key.id().value()).build();
    }

    private static RoleBean toBean(Role r) {
        RoleBean b = new RoleBean();
        b.setFileSystem(r.key().fileSystem().value());
        b.setRoleId(r.id().value());
        b.setRoleType(r.type().name());
        b.setRoleIndex(r.id().index());
        b.setAvailabilityZone(r.availabilityZone());
        b.setOwner(r.owner().orElse(null));
        b.setPreviousOwner(r.previousOwner().orElse(null));
        b.setEpoch(r.epoch());
        b.setState(r.state().name());
        b.setNeedsFormat(r.needsFormat());
        b.setCreatedAt(r.createdAt().toString());
        b.setUpdatedAt(r.updatedAt().toString());
        b.setClaimedAt(r.claimedAt().map(Instant::toString).orElse(null));
        b.setLastExecution(r.lastExecution().orElse(null));
        b.setReason(r.reason().orElse(null));
        return b;
    }

    private static Role toRole(RoleBean b) {
        return new Role(new RoleKey(new FileSystemName(b.getFileSystem()), RoleId.parse(b.getRoleId())),
                b.getAvailabilityZone(), Optional.ofNullable(b.getOwner()), Optional.ofNullable(b.getPreviousOwner()),
                b.getEpoch(), RoleState.valueOf(b.getState()), Boolean.TRUE.equals(b.getNeedsFormat()),
                Instant.parse(b.getCreatedAt()), Instant.parse(b.getUpdatedAt()),
                Optional.ofNullable(b.getClaimedAt()).map(Instant::parse), Optional.ofNullable(b.getLastExecution()),
                Optional.ofNullable(b.getReason()));
    }

    private static ResourcesBean toBean(RoleResources r) {
        ResourcesBean b = new ResourcesBean();
        b.setFileSystem(r.role().fileSystem().value());
        b.setRoleId(r.role().id().value());
        b.setAvailabilityZone(r.availabilityZone());
        b.setEniId(r.network().eniId());
        b.setPrivateIp(r.network().privateIp());
        List<VolumeBean> volumes = new ArrayList<>();
        for (Volume v : r.volumes()) {
            VolumeBean vb = new VolumeBean();
            vb.setVolumeId(v.volumeId());
            vb.setDevice(v.device());
            vb.setTargetLabel(v.targetLabel());
            volumes.add(vb);
        }
        b.setVolumes(volumes);
        return b;
    }

    private static RoleResources toResources(ResourcesBean b) {
        return new RoleResources(new RoleKey(new FileSystemName(b.getFileSystem()), RoleId.parse(b.getRoleId())),
                b.getAvailabilityZone(), new NetworkIdentity(b.getEniId(), b.getPrivateIp()),
                b.getVolumes().stream().map(v -> new Volume(v.getVolumeId(), v.getDevice(), v.getTargetLabel()))
                        .toList());
    }
}
