package dev.lustreha.errors;

/**
 * A role resource is attached to another instance (or that instance is not fenced yet) where the
 * handover expected it free: the workflow goes back to fencing and detaching.
 */
public final class ResourceHeldException extends LustreHaException {

    public ResourceHeldException(String message) {
        super(message);
    }
}
