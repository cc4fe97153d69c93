package dev.lustreha.ec2;

import dev.lustreha.errors.AwsApiException;
import dev.lustreha.errors.AwsUnavailableException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * One call to an AWS service other than the tables (EC2, Auto Scaling, Step Functions), with SDK
 * failures turned into lustre-ha's own, so SDK exceptions never reach a step or a trigger.
 */
public final class AwsCalls {

    private AwsCalls() {
    }

    /**
     * Throttling, server errors and unreachable endpoints become {@link AwsUnavailableException}
     * (retryable); any other rejection {@link AwsApiException}, carrying the AWS error code.
     */
    public static <T> T call(String operation, Supplier<T> body) {
        try {
            return body.get();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String message = operation + ": " + (code == null ? "" : code + ": ")
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
            boolean throttled = e.isThrottlingException() || "RequestLimitExceeded".equals(code) || "Throttling".equals(code);
            if (throttled || e.statusCode() >= 500) {
                throw new AwsUnavailableException(message, e, throttled);
            }
            throw new AwsApiException(code == null ? "Unknown" : code, message, e);
        } catch (SdkClientException e) {
            throw new AwsUnavailableException(operation + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new AwsApiException("Unknown", operation + ": " + e.getMessage(), e);
        }
    }
}
