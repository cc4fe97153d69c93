package dev.lustreha.local.sfn;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A finished execution, in the terms of Step Functions' DescribeExecution.
 *
 * @param output the execution's output JSON, when it succeeded
 * @param error the error name, when it failed: for a Lambda function error, the exception's fully
 *     qualified class name
 * @param cause what the error says, when it failed
 */
public record ExecutionResult(
        String executionArn,
        ExecutionStatus status,
        Optional<String> output,
        Optional<String> error,
        Optional<String> cause,
        List<HistoryEvent> history) {

    public ExecutionResult {
        if (executionArn == null || status == null) {
            throw new IllegalArgumentException("an execution result needs an ARN and a status");
        }
        if (output.isPresent() != (status == ExecutionStatus.SUCCEEDED)) {
            throw new IllegalArgumentException("an execution has an output exactly when it succeeded");
        }
        history = List.copyOf(history);
    }

    /**
     * What Step Functions bills as state transitions: a state entered, or a state retried.
     */
    public long stateTransitions() {
        return history.stream()
                .filter(e -> e.type().equals(HistoryEvent.STATE_ENTERED) || e.type().equals(HistoryEvent.STATE_RETRIED))
                .count();
    }

    /** The events of {@code type}, for instance {@code StateEntered} of one state. */
    public List<HistoryEvent> events(String type) {
        return history.stream().filter(e -> e.type().equals(type)).toList();
    }

    /** From the first event of the history to the last. */
    public Duration duration() {
        return history.isEmpty() ? Duration.ZERO
                : Duration.between(history.get(0).timestamp(), history.get(history.size() - 1).timestamp());
    }
}
