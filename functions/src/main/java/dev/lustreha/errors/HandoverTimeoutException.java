package dev.lustreha.errors;

/**
 * A phase of the handover passed its bound (a fence not confirmed within the fence timeout, a move
 * not finished within the move timeout). AWS asks to contact support when a forced stop has not
 * stopped an instance in 10 minutes; lustre-ha gives the claim back and raises the alarm.
 */
public final class HandoverTimeoutException extends LustreHaException {

    public HandoverTimeoutException(String message) {
        super(message);
    }
}
