package dev.lustreha.roles;

import static dev.lustreha.roles.RoleItems.CLAIMED_AT;
import static dev.lustreha.roles.RoleItems.EPOCH;
import static dev.lustreha.roles.RoleItems.FILE_SYSTEM;
import static dev.lustreha.roles.RoleItems.HEALTH_FAILOVERS;
import static dev.lustreha.roles.RoleItems.HEALTH_HOLD;
import static dev.lustreha.roles.RoleItems.MOUNTED_AT;
import static dev.lustreha.roles.RoleItems.MOUNTED_EPOCH;
import static dev.lustreha.roles.RoleItems.LAST_EXECUTION;
import static dev.lustreha.roles.RoleItems.NEEDS_FORMAT;
import static dev.lustreha.roles.RoleItems.OWNER;
import static dev.lustreha.roles.RoleItems.PREVIOUS_OWNER;
import static dev.lustreha.roles.RoleItems.REASON;
import static dev.lustreha.roles.RoleItems.ROLE_ID;
import static dev.lustreha.roles.RoleItems.STATE;
import static dev.lustreha.roles.RoleItems.UPDATED_AT;
import static dev.lustreha.roles.DynamoCalls.call;
import static dev.lustreha.roles.RoleItems.n;
import static dev.lustreha.roles.RoleItems.s;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.errors.ClaimConflictException;
import dev.lustreha.errors.ResourcesConflictException;
import dev.lustreha.errors.RoleNotFoundException;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** {@link RoleStore} on the two DynamoDB tables of the stack, with conditional writes. */
public final class DynamoRoleStore implements RoleStore, HealthStore, ReleaseStore {

    private final DynamoDbClient dynamo;
    private final String rolesTable;
    private final String resourcesTable;
    private final Clock clock;

    public DynamoRoleStore(DynamoDbClient dynamo, String rolesTable, String resourcesTable, Clock clock) {
        this.dynamo = dynamo;
        this.rolesTable = rolesTable;
        this.resourcesTable = resourcesTable;
        this.clock = clock;
    }

    @Override
    public Optional<Role> load(RoleKey key) {
        return get(rolesTable, key, RoleItems::toRole, "load " + key);
    }

    @Override
    public List<Role> list(FileSystemName fileSystem) {
        return query(rolesTable, fileSystem, "", RoleItems::toRole, Comparator.comparing(Role::id));
    }

    @Override
    public List<Role> list(FileSystemName fileSystem, RoleType type) {
        // Role ids begin with their type's prefix (mgs, mds01, oss01), so one key condition selects a type.
        return query(rolesTable, fileSystem, type.prefix(), RoleItems::toRole, Comparator.comparing(Role::id))
                .stream().filter(r -> r.type() == type).toList();
    }

    @Override
    public boolean createIfAbsent(Role role) {
        return call("create " + role.key(), () -> {
            try {
                dynamo.putItem(r -> r.tableName(rolesTable)
                        .item(RoleItems.toItem(role))
                        .conditionExpression("attribute_not_exists(#roleId)")
                        .expressionAttributeNames(Map.of("#roleId", ROLE_ID)));
                return true;
            } catch (ConditionalCheckFailedException exists) {
                return false;
            }
        });
    }

    @Override
    public void deleteVacant(RoleKey key) {
        call("delete vacant " + key, () -> {
            try {
                dynamo.deleteItem(r -> r.tableName(rolesTable)
                        .key(RoleItems.key(key))
                        .conditionExpression("attribute_not_exists(#roleId) OR (#state = :vacant AND #epoch = :zero)")
                        .expressionAttributeNames(Map.of("#roleId", ROLE_ID, "#state", STATE, "#epoch", EPOCH))
                        .expressionAttributeValues(Map.of(":vacant", s(RoleState.VACANT.name()), ":zero", n(0)))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            } catch (ConditionalCheckFailedException e) {
                throw new RoleStateConflictException(RoleItems.toRole(e.item()), "be removed",
                        EnumSet.of(RoleState.VACANT));
            }
            dynamo.deleteItem(r -> r.tableName(resourcesTable).key(RoleItems.key(key)));
            return null;
        });
    }

    @Override
    public Role claim(Role seen, String newOwner, String execution) {
        requireInstance(newOwner);
        String now = clock.instant().toString();
        Map<String, String> names = new HashMap<>(Map.of("#owner", OWNER, "#state", STATE, "#prev", PREVIOUS_OWNER,
                "#reason", REASON, "#epoch", EPOCH));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":new", s(newOwner), ":seen", n(seen.epoch()), ":next", n(seen.epoch() + 1),
                ":claimed", s(RoleState.CLAIMED.name()), ":now", s(now), ":exec", s(execution)));
        // The owner only changes with the epoch, so the owner seen at seen.epoch is the owner replaced here.
        String previous;
        String removes;
        if (seen.owner().isPresent()) {
            previous = ", #prev = :prev";
            values.put(":prev", s(seen.owner().get()));
            removes = " REMOVE #reason, " + HEALTH_HOLD;
        } else {
            previous = "";
            removes = " REMOVE #reason, #prev, " + HEALTH_HOLD;
        }
        // A damping hold is about the owner it was written for; the moves it counted stay and still count.
        String update = "SET #owner = :new, #epoch = :next, #state = :claimed, " + CLAIMED_AT + " = :now, "
                + UPDATED_AT + " = :now, " + LAST_EXECUTION + " = :exec" + previous + removes;
        UpdateItemRequest request = UpdateItemRequest.builder()
                .tableName(rolesTable)
                .key(RoleItems.key(seen.key()))
                .updateExpression(update)
                .conditionExpression("#epoch = :seen")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        return call("claim " + seen.key(), () -> {
            try {
                return RoleItems.toRole(dynamo.updateItem(request).attributes());
            } catch (ConditionalCheckFailedException e) {
                if (!e.hasItem() || e.item().isEmpty()) {
                    throw new RoleNotFoundException(seen.key(), "role");
                }
                throw new ClaimConflictException(RoleItems.toRole(e.item()), seen.epoch());
            }
        });
    }

    @Override
    public Role transition(RoleKey key, String owner, long epoch, RoleState to) {
        return ownedUpdate(key, owner, epoch, "move to " + to, to.reachableFrom(),
                "#state = :to REMOVE #reason", Map.of(":to", s(to.name())));
    }

    @Override
    public Role release(RoleKey key, String owner, long epoch, String reason) {
        RoleState to = RoleState.RELEASED;
        return ownedUpdate(key, owner, epoch, "move to " + to, to.reachableFrom(),
                "#state = :to, #reason = :reason", Map.of(":to", s(to.name()), ":reason", s(reason)));
    }

    @Override
    public Role markOrphaned(RoleKey key, String owner, long epoch) {
        return transition(key, owner, epoch, RoleState.ORPHANED);
    }

    @Override
    public Role markFormatted(RoleKey key, String owner, long epoch) {
        // Formatting happens once the owner holds its volumes: while CLAIMED or SERVING.
        return ownedUpdate(key, owner, epoch, "record the format", EnumSet.of(RoleState.CLAIMED, RoleState.SERVING),
                NEEDS_FORMAT + " = :false", Map.of(":false", AttributeValue.fromBool(false)));
    }

    @Override
    public void markMounted(RoleKey key, String owner, long epoch) {
        ownedUpdate(key, owner, epoch, "record the mount", EnumSet.of(RoleState.CLAIMED, RoleState.SERVING),
                MOUNTED_EPOCH + " = :epoch, " + MOUNTED_AT + " = :now", Map.of());
    }

    @Override
    public void orphanOnHealth(RoleKey key, String owner, long epoch, List<Instant> failovers, String reason) {
        ownedUpdate(key, owner, epoch, "move to ORPHANED on a health alarm while mounted at this epoch",
                EnumSet.of(RoleState.SERVING),
                "#state = :to, #reason = :reason, " + HEALTH_FAILOVERS + " = :failovers REMOVE " + HEALTH_HOLD,
                Map.of(":to", s(RoleState.ORPHANED.name()), ":reason", s(reason),
                        ":failovers", RoleItems.instants(failovers)),
                " AND " + MOUNTED_EPOCH + " = :epoch");
    }

    @Override
    public void holdOnHealth(RoleKey key, String owner, long epoch, String hold) {
        ownedUpdate(key, owner, epoch, "record a damping hold", EnumSet.of(RoleState.SERVING),
                HEALTH_HOLD + " = :hold", Map.of(":hold", s(hold)));
    }

    @Override
    public void requestRelease(RoleKey key, String owner, long epoch) {
        ownedUpdate(key, owner, epoch, "ask the owner to release the role for a planned move",
                EnumSet.of(RoleState.SERVING), RoleItems.RELEASE_EPOCH + " = :epoch, " + RoleItems.RELEASE_REQUESTED_AT
                        + " = :now", Map.of(), " AND " + MOUNTED_EPOCH + " = :epoch");
    }

    @Override
    public void markUnmounted(RoleKey key, String owner, long epoch) {
        ownedUpdate(key, owner, epoch, "confirm the targets unmounted for a planned move", EnumSet.of(RoleState.SERVING),
                "#state = :to, #reason = :reason, " + RoleItems.UNMOUNTED_EPOCH + " = :epoch, " + RoleItems.UNMOUNTED_AT
                        + " = :now",
                Map.of(":to", s(RoleState.RELEASED.name()), ":reason", s("planned move: the owner unmounted its targets")),
                " AND " + RoleItems.RELEASE_EPOCH + " = :epoch");
    }

    /**
     * An update made by (or about) the owner at its epoch: applies only while owner and epoch match
     * and the role is in one of the {@code allowed} states.
     */
    private Role ownedUpdate(RoleKey key, String owner, long epoch, String action, Set<RoleState> allowed,
            String set, Map<String, AttributeValue> setValues) {
        return ownedUpdate(key, owner, epoch, action, allowed, set, setValues, "");
    }

    /** The same, with {@code andCondition} (starting with " AND ") added to the condition. */
    private Role ownedUpdate(RoleKey key, String owner, long epoch, String action, Set<RoleState> allowed,
            String set, Map<String, AttributeValue> setValues, String andCondition) {
        requireInstance(owner);
        Map<String, String> names = new HashMap<>(Map.of("#owner", OWNER, "#state", STATE, "#epoch", EPOCH));
        if (set.contains("#reason")) {
            names.put("#reason", REASON);
        }
        Map<String, AttributeValue> values = new HashMap<>(setValues);
        values.put(":me", s(owner));
        values.put(":epoch", n(epoch));
        values.put(":now", s(clock.instant().toString()));
        StringJoiner from = new StringJoiner(", ", "#state IN (", ")");
        int i = 0;
        for (RoleState state : allowed) {
            values.put(":from" + i, s(state.name()));
            from.add(":from" + i++);
        }
        String update = "SET " + UPDATED_AT + " = :now, " + set;
        UpdateItemRequest request = UpdateItemRequest.builder()
                .tableName(rolesTable)
                .key(RoleItems.key(key))
                .updateExpression(update)
                .conditionExpression("#owner = :me AND #epoch = :epoch AND " + from + andCondition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        return call("update " + key + " as " + owner + "@" + epoch, () -> {
            try {
                return RoleItems.toRole(dynamo.updateItem(request).attributes());
            } catch (ConditionalCheckFailedException e) {
                if (!e.hasItem() || e.item().isEmpty()) {
                    throw new RoleNotFoundException(key, "role");
                }
                Role current = RoleItems.toRole(e.item());
                if (!current.isOwnedBy(owner) || current.epoch() != epoch) {
                    throw new StaleEpochException(current, owner, epoch);
                }
                throw new RoleStateConflictException(current, action, allowed);
            }
        });
    }

    @Override
    public void registerResources(RoleResources resources) {
        call("register resources of " + resources.role(), () -> {
            try {
                dynamo.putItem(r -> r.tableName(resourcesTable)
                        .item(RoleItems.toItem(resources))
                        .conditionExpression("attribute_not_exists(#roleId)")
                        .expressionAttributeNames(Map.of("#roleId", ROLE_ID))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            } catch (ConditionalCheckFailedException e) {
                RoleResources existing = RoleItems.toResources(e.item());
                if (!existing.equals(resources)) {
                    throw new ResourcesConflictException(existing, resources);
                }
            }
            return null;
        });
    }

    @Override
    public Optional<RoleResources> resources(RoleKey key) {
        return get(resourcesTable, key, RoleItems::toResources, "load resources of " + key);
    }

    @Override
    public List<RoleResources> resources(FileSystemName fileSystem) {
        return query(resourcesTable, fileSystem, "", RoleItems::toResources,
                Comparator.comparing(r -> r.role().id()));
    }

    /** One item by key, strongly consistent. */
    private <T> Optional<T> get(String table, RoleKey key, Function<Map<String, AttributeValue>, T> decode,
            String what) {
        return call(what, () -> {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                    .key(RoleItems.key(key))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(decode.apply(item));
        });
    }

    private <T> List<T> query(String table, FileSystemName fileSystem, String idPrefix,
            Function<Map<String, AttributeValue>, T> decode, Comparator<T> order) {
        return call("list " + table + " of " + fileSystem, () -> {
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":fs", s(fileSystem.value())));
            String condition = "#fs = :fs";
            if (!idPrefix.isEmpty()) {
                condition += " AND begins_with(#roleId, :prefix)";
                values.put(":prefix", s(idPrefix));
            }
            QueryRequest request = QueryRequest.builder()
                    .tableName(table)
                    .keyConditionExpression(condition)
                    .expressionAttributeNames(idPrefix.isEmpty()
                            ? Map.of("#fs", FILE_SYSTEM)
                            : Map.of("#fs", FILE_SYSTEM, "#roleId", ROLE_ID))
                    .expressionAttributeValues(values)
                    .consistentRead(true)
                    .build();
            List<T> out = new ArrayList<>();
            for (QueryResponse page : dynamo.queryPaginator(request)) {
                page.items().forEach(item -> out.add(decode.apply(item)));
            }
            out.sort(order);
            return out;
        });
    }

    private static void requireInstance(String instanceId) {
        if (instanceId == null || !instanceId.startsWith("i-")) {
            throw new IllegalArgumentException("not an instance id: '" + instanceId + "'");
        }
    }
}
