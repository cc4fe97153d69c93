package dev.lustreha.local.lambda;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One invocation the local Lambda endpoint dispatched to a handler.
 *
 * @param function the function as the caller named it, qualifier included
 * @param errorType the class name of what the handler threw, for a {@link Outcome#FUNCTION_ERROR}
 */
public record Invocation(
        String requestId,
        FunctionName function,
        Instant start,
        Duration duration,
        Outcome outcome,
        Optional<String> errorType) {

    public enum Outcome {
        /** The handler returned; its output is the response payload. */
        SUCCEEDED,
        /** The handler threw; the response carries {@code X-Amz-Function-Error: Unhandled}. */
        FUNCTION_ERROR
    }

    public Invocation {
        if (requestId == null || function == null || start == null || duration == null || outcome == null) {
            throw new IllegalArgumentException("an invocation needs a request id, a function, a start, a duration and an outcome");
        }
        if (errorType.isPresent() != (outcome == Outcome.FUNCTION_ERROR)) {
            throw new IllegalArgumentException("an invocation has an error type exactly when it failed");
        }
    }
}
