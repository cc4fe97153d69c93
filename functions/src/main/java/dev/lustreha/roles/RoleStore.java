package dev.lustreha.roles;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import java.util.List;
import java.util.Optional;

/**
 * Role ownership and the resource pool, with the fencing epoch. Every write that is not a claim is
 * made under {@code owner = :me AND epoch = :epoch}; failures are {@code dev.lustreha.errors}
 * exceptions, never storage SDK exceptions.
 */
public interface RoleStore {

    /** The role as stored now (a strongly consistent read). */
    Optional<Role> load(RoleKey key);

    /** Every role of the file system, in role order. */
    List<Role> list(FileSystemName fileSystem);

    /** The roles of one type, in role order (lowest index first). */
    List<Role> list(FileSystemName fileSystem, RoleType type);

    /** Creates a vacant role unless one with this key exists; true when this call created it. */
    boolean createIfAbsent(Role role);

    /**
     * Removes a role that was never claimed (VACANT, epoch 0) and its registered resources; a
     * role that was ever claimed may hold data and is never removed.
     *
     * @throws dev.lustreha.errors.RoleStateConflictException when the role was claimed
     */
    void deleteVacant(RoleKey key);

    /**
     * Claims the role for {@code newOwner}: owner := newOwner, epoch := seen.epoch + 1, state CLAIMED,
     * previous owner := seen.owner, only if the stored epoch is still {@code seen.epoch()}.
     *
     * @throws dev.lustreha.errors.ClaimConflictException when the epoch moved; it carries the role as it is
     */
    Role claim(Role seen, String newOwner, String execution);

    /**
     * Moves the role to {@code to} under its owner and epoch (SERVING once the handover is done,
     * RELEASING on a terminate hook).
     *
     * @throws dev.lustreha.errors.StaleEpochException when owner or epoch no longer match
     * @throws dev.lustreha.errors.RoleStateConflictException when the state does not allow the move
     */
    Role transition(RoleKey key, String owner, long epoch, RoleState to);

    /** Gives a failed claim back (state RELEASED) with the reason; the owner stays, to be fenced by the next claimant. */
    Role release(RoleKey key, String owner, long epoch, String reason);

    /** The owner left {@code running}: the role is ORPHANED, still under that owner and epoch. */
    Role markOrphaned(RoleKey key, String owner, long epoch);

    /** The owner formatted the role's targets at this epoch: later claims must not format again. */
    Role markFormatted(RoleKey key, String owner, long epoch);

    /**
     * Registers a role's ENI and volumes. Idempotent: registering the same resources again does
     * nothing.
     *
     * @throws dev.lustreha.errors.ResourcesConflictException when different resources are registered
     */
    void registerResources(RoleResources resources);

    Optional<RoleResources> resources(RoleKey key);

    /** The registered resources of every role of the file system, in role order. */
    List<RoleResources> resources(FileSystemName fileSystem);
}
