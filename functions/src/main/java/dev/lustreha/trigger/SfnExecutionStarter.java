package dev.lustreha.trigger;

import dev.lustreha.errors.AwsApiException;
import dev.lustreha.errors.AwsUnavailableException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.SfnException;

/** {@link ExecutionStarter} on the Step Functions API. */
public final class SfnExecutionStarter implements ExecutionStarter {

    private final SfnClient sfn;

    public SfnExecutionStarter(SfnClient sfn) {
        this.sfn = sfn;
    }

    @Override
    public Started start(String stateMachineArn, String name, String input) {
        try {
            sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(name).input(input));
            return Started.STARTED;
        } catch (ExecutionAlreadyExistsException e) {
            return Started.ALREADY_EXISTS;
        } catch (SfnException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new AwsUnavailableException("StartExecution " + name + ": " + e.getMessage(), e);
            }
            throw new AwsApiException(e.awsErrorDetails() == null ? "Unknown" : e.awsErrorDetails().errorCode(),
                    "StartExecution " + name + ": " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw new AwsUnavailableException("StartExecution " + name + ": " + e.getMessage(), e);
        }
    }
}
