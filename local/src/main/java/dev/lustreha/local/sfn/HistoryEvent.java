package dev.lustreha.local.sfn;

import java.time.Instant;
import java.util.Optional;

/**
 * One event of an execution's history, as the local engine logs it.
 *
 * @param type the engine's event type: {@code ExecutionStarted}, {@code StateEntered},
 *     {@code StateExited}, {@code StateFailed}, {@code StateRetried}, {@code StateCaught},
 *     {@code ExecutionSucceeded}, {@code ExecutionFailed}, {@code ExecutionTimeout}, and the
 *     {@code MapIteration*} and {@code ParallelBranch*} events of nested executions
 * @param state the state the event belongs to, for state events
 * @param error the error name, for failure events
 * @param cause the error's cause, for failure events; a Lambda function error's is its error document as JSON
 */
public record HistoryEvent(String type, Instant timestamp, Optional<String> state, Optional<String> error,
        Optional<String> cause) {

    public static final String STATE_ENTERED = "StateEntered";
    public static final String STATE_RETRIED = "StateRetried";
}
