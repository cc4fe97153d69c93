package dev.lustreha.errors;

import dev.lustreha.domain.Role;

/** A claim lost: the role's epoch was no longer the one the claimant saw. Carries the role as it is now. */
public final class ClaimConflictException extends LustreHaException {

    private final transient Role current;

    public ClaimConflictException(Role current, long seenEpoch) {
        super("claim of " + current.key() + " at epoch " + seenEpoch + " lost: the role is now at epoch "
                + current.epoch() + ", owner " + current.owner().orElse("none") + ", " + current.state());
        this.current = current;
    }

    public Role current() {
        return current;
    }
}
