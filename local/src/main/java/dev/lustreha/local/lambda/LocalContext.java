package dev.lustreha.local.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The {@link Context} of one local invocation. The remaining time counts down from the function's
 * timeout from the moment the invocation was dispatched, as in Lambda.
 */
final class LocalContext implements Context {

    /** Versions are not modelled locally: every invocation runs the one registered handler. */
    static final String VERSION = "$LATEST";

    private final String requestId;
    private final FunctionName invoked;
    private final int memoryLimitInMb;
    private final long deadlineNanos;
    private final LambdaLogger logger;

    LocalContext(String requestId, FunctionName invoked, LocalFunction function, Consumer<String> logSink) {
        this.requestId = requestId;
        this.invoked = invoked;
        this.memoryLimitInMb = function.memoryLimitInMb();
        this.deadlineNanos = System.nanoTime() + function.timeout().toNanos();
        String prefix = "[" + invoked.name() + " " + requestId + "] ";
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                logSink.accept(prefix + message);
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + invoked.name();
    }

    @Override
    public String getLogStreamName() {
        return "local/[" + VERSION + "]";
    }

    @Override
    public String getFunctionName() {
        return invoked.name();
    }

    @Override
    public String getFunctionVersion() {
        return VERSION;
    }

    /** The ARN the caller invoked, with its qualifier, as in Lambda. */
    @Override
    public String getInvokedFunctionArn() {
        return invoked.arn();
    }

    /** Only invocations from the AWS Mobile SDK carry an identity. */
    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    /** Only invocations from the AWS Mobile SDK carry a client context. */
    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryLimitInMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }
}
