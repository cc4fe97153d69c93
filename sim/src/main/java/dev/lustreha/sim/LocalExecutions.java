package dev.lustreha.sim;

import dev.lustreha.local.sfn.AslEngine;
import dev.lustreha.local.sfn.ExecutionOptions;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.StateMachineDefinition;
import dev.lustreha.trigger.ExecutionStarter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * StartExecution on the local ASL engine, with Step Functions' naming rule: a name is used once per
 * state machine; the same name with the same input while it runs returns that execution, anything
 * else is {@code ExecutionAlreadyExists}.
 */
public final class LocalExecutions implements ExecutionStarter {

    /** One execution: which machine, its name and input, and its result once it ends. */
    public record Execution(String stateMachineArn, String name, String input, CompletableFuture<ExecutionResult> result) {
    }

    private final AslEngine engine;
    private final Map<String, StateMachineDefinition> machines;
    private final ExecutionOptions options;
    private final Map<String, Execution> executions = new LinkedHashMap<>();

    LocalExecutions(AslEngine engine, List<StateMachineDefinition> machines, ExecutionOptions options) {
        this.engine = engine;
        this.machines = new LinkedHashMap<>();
        machines.forEach(m -> this.machines.put(m.arn(), m));
        this.options = options;
    }

    @Override
    public synchronized Started start(String stateMachineArn, String name, String input) {
        StateMachineDefinition machine = machines.get(stateMachineArn);
        if (machine == null) {
            throw new IllegalArgumentException("no state machine " + stateMachineArn);
        }
        Execution existing = executions.get(stateMachineArn + "/" + name);
        if (existing != null) {
            return !existing.result().isDone() && existing.input().equals(input) ? Started.STARTED : Started.ALREADY_EXISTS;
        }
        CompletableFuture<ExecutionResult> result = engine.startExecution(machine, name, input, options);
        executions.put(stateMachineArn + "/" + name, new Execution(stateMachineArn, name, input, result));
        return Started.STARTED;
    }

    public synchronized List<Execution> all() {
        return new ArrayList<>(executions.values());
    }

    /** True when no execution is running. */
    public synchronized boolean idle() {
        return executions.values().stream().allMatch(e -> e.result().isDone());
    }
}
