package dev.lustreha.local.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.time.Duration;

/**
 * A handler registered with the local endpoint, with the settings its {@code Context} reports.
 *
 * @param timeout what {@code getRemainingTimeInMillis} counts down from; not enforced (see {@link LocalLambda})
 */
record LocalFunction(RequestStreamHandler handler, Duration timeout, int memoryLimitInMb) {
}
