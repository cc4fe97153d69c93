package dev.lustreha.local.lambda;

import java.util.ArrayList;
import java.util.List;

/**
 * The error document the Java runtime returns when a handler throws: the payload of an invocation
 * answered with {@code X-Amz-Function-Error: Unhandled}. Step Functions takes {@code errorType} as the
 * error name a state's {@code Retry} and {@code Catch} match.
 *
 * <p>Shaped like the runtime interface client of the {@code java21} runtime: the exception's own
 * message (its class name when it has none), its class name, and its stack frames as
 * {@link StackTraceElement#toString()} prints them, cut where the runtime's own frames begin. No
 * {@code cause} field: that belonged to the retired {@code java8} runtime.
 */
public record FunctionError(String errorMessage, String errorType, List<String> stackTrace) {

    public FunctionError {
        stackTrace = List.copyOf(stackTrace);
    }

    /** The error document of {@code thrown}, with the frames from {@code dispatcher} on left out. */
    static FunctionError of(Throwable thrown, Class<?> dispatcher) {
        String message = thrown.getLocalizedMessage() != null ? thrown.getLocalizedMessage() : thrown.getClass().getName();
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (frame.getClassName().equals(dispatcher.getName())) {
                break;
            }
            frames.add(frame.toString());
        }
        return new FunctionError(message, thrown.getClass().getName(), frames);
    }
}
