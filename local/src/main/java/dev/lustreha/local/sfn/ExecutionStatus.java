package dev.lustreha.local.sfn;

/** How an execution ended, named as Step Functions' DescribeExecution names it. */
public enum ExecutionStatus {
    SUCCEEDED,
    FAILED,
    /** The definition's top-level {@code TimeoutSeconds} ran out. */
    TIMED_OUT
}
