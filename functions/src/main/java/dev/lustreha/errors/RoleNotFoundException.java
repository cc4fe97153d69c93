package dev.lustreha.errors;

import dev.lustreha.domain.RoleKey;

/** No such role (or no resources registered for it) in the tables. */
public final class RoleNotFoundException extends LustreHaException {

    public RoleNotFoundException(RoleKey key, String what) {
        super("no " + what + " for role " + key);
    }
}
