package dev.lustreha.trigger;

import dev.lustreha.errors.AwsApiException;
import dev.lustreha.errors.AwsUnavailableException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.ListExecutionsResponse;
import software.amazon.awssdk.services.sfn.model.SfnException;

/**
 * {@link ExecutionLister} on the Step Functions API: ListExecutions with status RUNNING, every page.
 * AWS documents ListExecutions as eventually consistent: an execution started a moment ago may be
 * missing, which is why everything the reconciler starts is safe to start twice.
 */
public final class SfnExecutionLister implements ExecutionLister {

    private final SfnClient sfn;

    public SfnExecutionLister(SfnClient sfn) {
        this.sfn = sfn;
    }

    @Override
    public List<Running> running(String stateMachineArn) {
        List<Running> out = new ArrayList<>();
        try {
            for (ListExecutionsResponse page : sfn.listExecutionsPaginator(r -> r.stateMachineArn(stateMachineArn)
                    .statusFilter(ExecutionStatus.RUNNING))) {
                page.executions().forEach(e -> out.add(new Running(e.name(), e.startDate())));
            }
            return out;
        } catch (SfnException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new AwsUnavailableException("ListExecutions " + stateMachineArn + ": " + e.getMessage(), e);
            }
            throw new AwsApiException(e.awsErrorDetails() == null ? "Unknown" : e.awsErrorDetails().errorCode(),
                    "ListExecutions " + stateMachineArn + ": " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw new AwsUnavailableException("ListExecutions " + stateMachineArn + ": " + e.getMessage(), e);
        }
    }
}
