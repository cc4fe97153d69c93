package dev.lustreha.trigger;

import static dev.lustreha.ec2.AwsCalls.call;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.ListExecutionsResponse;

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
        return call("ListExecutions " + stateMachineArn, () -> {
            List<Running> out = new ArrayList<>();
            for (ListExecutionsResponse page : sfn.listExecutionsPaginator(r -> r.stateMachineArn(stateMachineArn)
                    .statusFilter(ExecutionStatus.RUNNING))) {
                page.executions().forEach(e -> out.add(new Running(e.name(), e.startDate())));
            }
            return out;
        });
    }
}
