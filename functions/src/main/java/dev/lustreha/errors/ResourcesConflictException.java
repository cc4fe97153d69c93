package dev.lustreha.errors;

import dev.lustreha.domain.RoleResources;

/** Resources registered for a role differ from what is being registered now: never overwritten silently. */
public final class ResourcesConflictException extends LustreHaException {

    public ResourcesConflictException(RoleResources existing, RoleResources offered) {
        super("role " + existing.role() + " already has resources " + existing + "; refusing " + offered);
    }
}
