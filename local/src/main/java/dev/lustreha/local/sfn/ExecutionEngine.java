package dev.lustreha.local.sfn;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Runs Step Functions executions locally: the third-party engine ({@link AslEngine}, wall time)
 * or the in-JVM one ({@link VirtualStepFunctions}, the simulated cloud's virtual time).
 */
public interface ExecutionEngine {

    /** Step Functions' rule for execution names (StartExecution): 1-80 characters, none of these. */
    Pattern EXECUTION_NAME = Pattern.compile("[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\p{Cntrl}]{1,80}");

    /** Refuses a name StartExecution would refuse. */
    static void checkName(String executionName) {
        if (!EXECUTION_NAME.matcher(executionName).matches()) {
            throw new IllegalArgumentException("not a valid execution name: " + executionName);
        }
    }

    /** Starts one execution; the future completes when it ends, whatever the outcome. */
    CompletableFuture<ExecutionResult> startExecution(StateMachineDefinition machine, String executionName, String input,
            ExecutionOptions options);
}
