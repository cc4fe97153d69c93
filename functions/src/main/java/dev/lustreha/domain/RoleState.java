package dev.lustreha.domain;

import java.util.EnumSet;
import java.util.Set;

/** Where a role stands in its life. Only a claim changes the owner; only a claim raises the epoch. */
public enum RoleState {
    /** Never claimed: no owner, epoch 0, its volumes not yet formatted. */
    VACANT,
    /** Claimed by its owner at its epoch; the handover is moving the resources. */
    CLAIMED,
    /** The owner holds the ENI and volumes and serves the targets. */
    SERVING,
    /** The owner left {@code running}; the role waits for a new claimant, who fences the owner first. */
    ORPHANED,
    /** The owner is terminating through its lifecycle hook and lets the role go. */
    RELEASING,
    /** A handover failed and gave the claim back; the owner may still hold some resources. */
    RELEASED;

    /** The states a role may be in for a non-claim write to move it to this state. */
    public Set<RoleState> reachableFrom() {
        return switch (this) {
            case VACANT, CLAIMED -> EnumSet.noneOf(RoleState.class); // only creation and claims lead here
            case SERVING -> EnumSet.of(CLAIMED, SERVING);
            case ORPHANED -> EnumSet.of(CLAIMED, SERVING, ORPHANED);
            case RELEASING -> EnumSet.of(CLAIMED, SERVING, RELEASING);
            case RELEASED -> EnumSet.of(CLAIMED, RELEASED);
        };
    }
}
