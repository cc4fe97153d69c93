package dev.lustreha.steps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lustreha.config.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/**
 * A workflow step as a Lambda handler: decode the execution state, run one step, encode the
 * result. Exceptions propagate: the Java runtime reports them by fully qualified class name, which
 * the state machine's Retry and Catch match.
 */
public abstract class StepHandler implements RequestStreamHandler {

    private final UnaryOperator<HandoverState> step;

    protected StepHandler(UnaryOperator<HandoverState> step) {
        this.step = step;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HandoverState state = Json.MAPPER.readValue(input, HandoverState.class);
        Json.MAPPER.writeValue(output, step.apply(state));
    }
}
