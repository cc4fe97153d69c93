package dev.lustreha.steps;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lustreha.config.Json;
import dev.lustreha.observe.JsonLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
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
        long started = System.nanoTime();
        try {
            HandoverState next = step.apply(state);
            log(context, next, null, started);
            Json.MAPPER.writeValue(output, next);
        } catch (RuntimeException e) {
            log(context, state, e, started);
            throw e;
        }
    }

    /**
     * One JSON line per step with the keys an operator filters on (role, epoch, instance,
     * execution), so CloudWatch Logs Insights can follow one handover across functions: as fields
     * of the record ({@link JsonLog} says why it is not {@code log(String)}).
     */
    private void log(Context context, HandoverState s, RuntimeException error, long started) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", getClass().getSimpleName().replace("Handler", ""));
        if (s != null && s.input() != null) {
            line.put("fileSystem", s.input().fileSystem());
            line.put("instance", s.input().instanceId());
            line.put("execution", s.input().executionName());
        }
        if (s != null && s.claim() != null) {
            line.put("claim", s.claim().outcome());
            line.put("role", s.claim().roleId());
            line.put("epoch", s.claim().epoch());
        }
        if (s != null && s.outcome() != null) {
            line.put("outcome", s.outcome());
        }
        if (error != null) {
            line.put("error", error.getClass().getName());
            line.put("message", error.getMessage());
        }
        line.put("durationMs", (System.nanoTime() - started) / 1_000_000);
        JsonLog.write(context, line, error == null ? "INFO" : "ERROR");
    }
}
