package dev.lustreha.roles;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleHealth;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The item layout of the Roles and Resources tables, written by hand: no reflection-based table
 * schema, which costs cold-start time and hides the layout. Both tables are keyed by
 * {@code fileSystem} (hash) and {@code roleId} (range).
 */
final class RoleItems {

    static final String FILE_SYSTEM = "fileSystem";
    static final String ROLE_ID = "roleId";
    static final String ROLE_TYPE = "roleType";
    static final String ROLE_INDEX = "roleIndex";
    static final String AZ = "availabilityZone";
    static final String OWNER = "owner";
    static final String PREVIOUS_OWNER = "previousOwner";
    static final String EPOCH = "epoch";
    static final String STATE = "state";
    static final String NEEDS_FORMAT = "needsFormat";
    static final String CREATED_AT = "createdAt";
    static final String UPDATED_AT = "updatedAt";
    static final String CLAIMED_AT = "claimedAt";
    static final String LAST_EXECUTION = "lastExecution";
    static final String REASON = "reason";
    /** Written by the instance bootstrap once the targets are mounted at its epoch. */
    static final String MOUNTED_EPOCH = "mountedEpoch";
    static final String MOUNTED_AT = "mountedAt";
    /** Written by the health trigger: its automatic moves inside the damping window, and why it stopped moving. */
    static final String HEALTH_FAILOVERS = "healthFailovers";
    static final String HEALTH_HOLD = "healthHold";
    /** A planned move: the workflow asks the owner at this epoch to let go; the owner confirms it unmounted. */
    static final String RELEASE_EPOCH = "releaseEpoch";
    static final String RELEASE_REQUESTED_AT = "releaseRequestedAt";
    static final String UNMOUNTED_EPOCH = "unmountedEpoch";
    static final String UNMOUNTED_AT = "unmountedAt";

    static final String ENI_ID = "eniId";
    static final String PRIVATE_IP = "privateIp";
    static final String VOLUMES = "volumes";
    static final String VOLUME_ID = "volumeId";
    static final String DEVICE = "device";
    static final String TARGET_LABEL = "targetLabel";

    private RoleItems() {
    }

    static Map<String, AttributeValue> key(RoleKey key) {
        return Map.of(FILE_SYSTEM, s(key.fileSystem().value()), ROLE_ID, s(key.id().value()));
    }

    static Map<String, AttributeValue> toItem(Role role) {
        Map<String, AttributeValue> item = new HashMap<>(key(role.key()));
        item.put(ROLE_TYPE, s(role.type().name()));
        item.put(ROLE_INDEX, n(role.id().index()));
        item.put(AZ, s(role.availabilityZone()));
        role.owner().ifPresent(o -> item.put(OWNER, s(o)));
        role.previousOwner().ifPresent(o -> item.put(PREVIOUS_OWNER, s(o)));
        item.put(EPOCH, n(role.epoch()));
        item.put(STATE, s(role.state().name()));
        item.put(NEEDS_FORMAT, AttributeValue.fromBool(role.needsFormat()));
        item.put(CREATED_AT, s(role.createdAt().toString()));
        item.put(UPDATED_AT, s(role.updatedAt().toString()));
        role.claimedAt().ifPresent(t -> item.put(CLAIMED_AT, s(t.toString())));
        role.lastExecution().ifPresent(e -> item.put(LAST_EXECUTION, s(e)));
        role.reason().ifPresent(r -> item.put(REASON, s(r)));
        RoleHealth h = role.health();
        h.mountedEpoch().ifPresent(e -> item.put(MOUNTED_EPOCH, n(e)));
        h.mountedAt().ifPresent(t -> item.put(MOUNTED_AT, s(t.toString())));
        if (!h.failovers().isEmpty()) {
            item.put(HEALTH_FAILOVERS, instants(h.failovers()));
        }
        h.hold().ifPresent(r -> item.put(HEALTH_HOLD, s(r)));
        h.releaseEpoch().ifPresent(e -> item.put(RELEASE_EPOCH, n(e)));
        h.unmountedEpoch().ifPresent(e -> item.put(UNMOUNTED_EPOCH, n(e)));
        return item;
    }

    static Role toRole(Map<String, AttributeValue> item) {
        return new Role(
                keyOf(item),
                required(item, AZ),
                optional(item, OWNER),
                optional(item, PREVIOUS_OWNER),
                Long.parseLong(requiredAttribute(item, EPOCH).n()),
                RoleState.valueOf(required(item, STATE)),
                requiredAttribute(item, NEEDS_FORMAT).bool(),
                Instant.parse(required(item, CREATED_AT)),
                Instant.parse(required(item, UPDATED_AT)),
                optional(item, CLAIMED_AT).map(Instant::parse),
                optional(item, LAST_EXECUTION),
                optional(item, REASON),
                health(item));
    }

    /**
     * The health fields; a mount report the bootstrap wrote only half of (it writes both in one
     * update, so only a hand edit could) counts as no report: the health trigger then waits.
     */
    private static RoleHealth health(Map<String, AttributeValue> item) {
        Optional<Long> epoch = Optional.ofNullable(item.get(MOUNTED_EPOCH)).map(AttributeValue::n).map(Long::parseLong);
        Optional<Instant> at = optional(item, MOUNTED_AT).map(Instant::parse);
        if (epoch.isEmpty() || at.isEmpty()) {
            epoch = Optional.empty();
            at = Optional.empty();
        }
        List<Instant> failovers = new ArrayList<>();
        AttributeValue list = item.get(HEALTH_FAILOVERS);
        if (list != null && list.hasL()) {
            list.l().forEach(v -> failovers.add(Instant.parse(v.s())));
        }
        return new RoleHealth(epoch, at, failovers, optional(item, HEALTH_HOLD), number(item, RELEASE_EPOCH),
                number(item, UNMOUNTED_EPOCH));
    }

    private static Optional<Long> number(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(AttributeValue::n).map(Long::parseLong);
    }

    static AttributeValue instants(List<Instant> times) {
        return AttributeValue.fromL(times.stream().map(t -> s(t.toString())).toList());
    }

    static Map<String, AttributeValue> toItem(RoleResources resources) {
        Map<String, AttributeValue> item = new HashMap<>(key(resources.role()));
        item.put(AZ, s(resources.availabilityZone()));
        item.put(ENI_ID, s(resources.network().eniId()));
        item.put(PRIVATE_IP, s(resources.network().privateIp()));
        List<AttributeValue> volumes = new ArrayList<>();
        for (Volume v : resources.volumes()) {
            volumes.add(AttributeValue.fromM(Map.of(
                    VOLUME_ID, s(v.volumeId()), DEVICE, s(v.device()), TARGET_LABEL, s(v.targetLabel()))));
        }
        item.put(VOLUMES, AttributeValue.fromL(volumes));
        return item;
    }

    static RoleResources toResources(Map<String, AttributeValue> item) {
        List<Volume> volumes = new ArrayList<>();
        for (AttributeValue v : requiredAttribute(item, VOLUMES).l()) {
            Map<String, AttributeValue> m = v.m();
            volumes.add(new Volume(required(m, VOLUME_ID), required(m, DEVICE), required(m, TARGET_LABEL)));
        }
        return new RoleResources(
                keyOf(item),
                required(item, AZ),
                new NetworkIdentity(required(item, ENI_ID), required(item, PRIVATE_IP)),
                volumes);
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static RoleKey keyOf(Map<String, AttributeValue> item) {
        return new RoleKey(new FileSystemName(required(item, FILE_SYSTEM)), RoleId.parse(required(item, ROLE_ID)));
    }

    private static String required(Map<String, AttributeValue> item, String name) {
        String value = requiredAttribute(item, name).s();
        if (value == null) {
            throw new IllegalArgumentException("attribute " + name + " is not a string in " + item);
        }
        return value;
    }

    private static AttributeValue requiredAttribute(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null) {
            throw new IllegalArgumentException("item lacks attribute " + name + ": " + item);
        }
        return value;
    }

    private static Optional<String> optional(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(AttributeValue::s);
    }
}
