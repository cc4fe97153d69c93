package dev.lustreha.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * One role as stored: who owns it, at which epoch, and in which state.
 *
 * @param availabilityZone the AZ of the role's ENI and volumes; only instances there may claim it
 * @param owner the instance that holds or last held the role (and must be fenced before another may
 *     take its resources), empty while the role was never claimed
 * @param previousOwner the owner before the current claim, the instance the handover fences
 * @param epoch the fencing token: raised by one on every claim, never lowered
 * @param needsFormat true until the role's targets have been formatted once
 * @param lastExecution the workflow execution that last claimed the role
 * @param reason why the role was last released, when it was
 * @param health the bootstrap's mount report and the health trigger's record of automatic moves
 */
public record Role(
        RoleKey key,
        String availabilityZone,
        Optional<String> owner,
        Optional<String> previousOwner,
        long epoch,
        RoleState state,
        boolean needsFormat,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> claimedAt,
        Optional<String> lastExecution,
        Optional<String> reason,
        RoleHealth health) {

    /** A role with nothing recorded about its health. */
    public Role(RoleKey key, String availabilityZone, Optional<String> owner, Optional<String> previousOwner, long epoch,
            RoleState state, boolean needsFormat, Instant createdAt, Instant updatedAt, Optional<Instant> claimedAt,
            Optional<String> lastExecution, Optional<String> reason) {
        this(key, availabilityZone, owner, previousOwner, epoch, state, needsFormat, createdAt, updatedAt, claimedAt,
                lastExecution, reason, RoleHealth.NONE);
    }

    public Role {
        if (health == null) {
            throw new IllegalArgumentException("role " + key + ": health is required (RoleHealth.NONE for none)");
        }
        if (key == null || state == null || createdAt == null || updatedAt == null) {
            throw new IllegalArgumentException("a role needs a key, a state and timestamps");
        }
        if (availabilityZone == null || availabilityZone.isBlank()) {
            throw new IllegalArgumentException("role " + key + " needs an availability zone");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative: " + epoch);
        }
        if (owner.isEmpty() != (state == RoleState.VACANT)) {
            throw new IllegalArgumentException("role " + key + ": a role has an owner exactly when it is not VACANT");
        }
    }

    /** A role the pool provisioner creates: never claimed, epoch 0, to be formatted on its first claim. */
    public static Role vacant(RoleKey key, String availabilityZone, Instant now) {
        return new Role(key, availabilityZone, Optional.empty(), Optional.empty(), 0, RoleState.VACANT, true,
                now, now, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public RoleId id() {
        return key.id();
    }

    public RoleType type() {
        return key.id().type();
    }

    public boolean isOwnedBy(String instanceId) {
        return owner.filter(instanceId::equals).isPresent();
    }
}
