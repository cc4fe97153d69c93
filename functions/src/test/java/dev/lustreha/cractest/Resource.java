package dev.lustreha.cractest;

/**
 * A test CRaC implementation, shaped like {@code javax.crac} (what Lambda's runtime provides):
 * Surefire points {@code org.crac.Core.Compat} at this package, so {@code org.crac} registers
 * resources here and {@code org.crac.Core.checkpointRestore()} runs their hooks.
 */
public interface Resource {

    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
