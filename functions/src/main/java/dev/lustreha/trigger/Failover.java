package dev.lustreha.trigger;

import java.util.List;

/**
 * What the state-change trigger does once it has orphaned a dead owner's roles: get them a new
 * owner now, rather than at the reconciler's next run.
 */
@FunctionalInterface
public interface Failover {

    /** @return what was done, for the trigger's report */
    String failOver(String deadOwner, List<String> orphanedRoles);
}
