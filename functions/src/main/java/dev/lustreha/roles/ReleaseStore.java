package dev.lustreha.roles;

import dev.lustreha.domain.RoleKey;

/**
 * The planned-move fields of a role's item (docs/design.md §3, "Planned moves"), written under the
 * owner and epoch like every non-claim write. Apart from {@link RoleStore}, as {@link HealthStore}
 * is, so that the stores that only move roles need not know about planned moves.
 */
public interface ReleaseStore {

    /**
     * The workflow asks the owner at {@code epoch} to unmount and let the role go: {@code SET
     * releaseEpoch = :epoch, releaseRequestedAt = :now}, only while SERVING and mounted at that epoch
     * (a role not yet mounted has nothing to unmount gracefully). The server's health agent reads it
     * with the GetItem it already makes before every datapoint.
     *
     * @throws dev.lustreha.errors.StaleEpochException when owner or epoch moved on
     * @throws dev.lustreha.errors.RoleStateConflictException when the role is not SERVING mounted
     */
    void requestRelease(RoleKey key, String owner, long epoch);

    /**
     * What the owner writes once its targets are unmounted ({@code instance/lustre-ha-health-agent}
     * does it on the server, the local cloud's guest agent in a simulation): state RELEASED,
     * {@code unmountedEpoch = :epoch}, only while SERVING at that epoch with {@code releaseEpoch =
     * :epoch}. After it the owner publishes no health, and a claim's fence need not stop it.
     *
     * @throws dev.lustreha.errors.StaleEpochException when owner or epoch moved on
     * @throws dev.lustreha.errors.RoleStateConflictException when no release was asked, or the role moved on
     */
    void markUnmounted(RoleKey key, String owner, long epoch);
}
