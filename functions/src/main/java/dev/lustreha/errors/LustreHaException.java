package dev.lustreha.errors;

/**
 * The root of lustre-ha's failures. Each subclass is one failure the workflow branches on: the Java
 * runtime reports a handler's exception by its fully qualified class name, which is what the state
 * machine's {@code ErrorEquals} names. Subclasses stay top level (no {@code Outer$Inner} names).
 */
public abstract class LustreHaException extends RuntimeException {

    protected LustreHaException(String message) {
        super(message);
    }

    protected LustreHaException(String message, Throwable cause) {
        super(message, cause);
    }
}
