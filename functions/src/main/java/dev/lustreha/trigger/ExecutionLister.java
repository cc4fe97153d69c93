package dev.lustreha.trigger;

import java.time.Instant;
import java.util.List;

/** Lists the executions of a Step Functions state machine that are still running. */
public interface ExecutionLister {

    /** A running execution: its name (which says which instance it concerns) and when it started. */
    record Running(String name, Instant startedAt) {
    }

    List<Running> running(String stateMachineArn);
}
