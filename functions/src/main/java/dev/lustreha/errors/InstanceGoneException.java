package dev.lustreha.errors;

/** The instance taking the role is shutting down or terminated: the handover cannot finish on it. */
public final class InstanceGoneException extends LustreHaException {

    public InstanceGoneException(String message) {
        super(message);
    }
}
