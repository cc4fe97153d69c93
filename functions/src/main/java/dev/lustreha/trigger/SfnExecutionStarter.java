package dev.lustreha.trigger;

import static dev.lustreha.ec2.AwsCalls.call;

import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

/** {@link ExecutionStarter} on the Step Functions API. */
public final class SfnExecutionStarter implements ExecutionStarter {

    private final SfnClient sfn;

    public SfnExecutionStarter(SfnClient sfn) {
        this.sfn = sfn;
    }

    @Override
    public Started start(String stateMachineArn, String name, String input) {
        return call("StartExecution " + name, () -> {
            try {
                sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(name).input(input));
                return Started.STARTED;
            } catch (ExecutionAlreadyExistsException e) {
                return Started.ALREADY_EXISTS;
            }
        });
    }
}
