package dev.lustreha.errors;

import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleState;
import java.util.Set;

/** The owner and epoch match, but the role's state does not allow the requested move. */
public final class RoleStateConflictException extends LustreHaException {

    private final transient Role current;

    public RoleStateConflictException(Role current, String action, Set<RoleState> allowed) {
        super("role " + current.key() + " is " + current.state() + ": cannot " + action + " (only from " + allowed + ")");
        this.current = current;
    }

    public Role current() {
        return current;
    }
}
