package dev.lustreha.roles;

import dev.lustreha.domain.RoleKey;
import java.time.Instant;
import java.util.List;

/**
 * The health fields of a role's item, written under the owner and epoch like every non-claim write
 * (failures are {@code dev.lustreha.errors} exceptions). Apart from {@link RoleStore} so that the
 * stores that only move roles need not know about health.
 */
public interface HealthStore {

    /**
     * What the instance bootstrap writes once the role's targets are mounted ({@code SET mountedEpoch
     * = :epoch, mountedAt = :now} while CLAIMED or SERVING); the local cloud's guest agent calls it.
     */
    void markMounted(RoleKey key, String owner, long epoch);

    /**
     * The health trigger's move: ORPHANED under owner and epoch, only while SERVING and mounted at
     * that epoch, recording the moves inside the damping window ({@code failovers}, this one last)
     * and why; clears a damping hold.
     *
     * @throws dev.lustreha.errors.StaleEpochException when owner or epoch moved on
     * @throws dev.lustreha.errors.RoleStateConflictException when the role is no longer SERVING mounted
     */
    void orphanOnHealth(RoleKey key, String owner, long epoch, List<Instant> failovers, String reason);

    /** Flap damping: records why the role is not moved again automatically (while SERVING at that epoch). */
    void holdOnHealth(RoleKey key, String owner, long epoch, String hold);
}
