package dev.lustreha.errors;

import dev.lustreha.domain.Role;

/**
 * A write made with an epoch (or owner) that is no longer the role's: a newer claim exists, so the
 * writer must stop and touch nothing. Carries the role as it is now.
 */
public final class StaleEpochException extends LustreHaException {

    private final transient Role current;

    public StaleEpochException(Role current, String owner, long epoch) {
        super("stale write to " + current.key() + " as " + owner + " at epoch " + epoch + ": the role is at epoch "
                + current.epoch() + ", owner " + current.owner().orElse("none"));
        this.current = current;
    }

    public Role current() {
        return current;
    }
}
