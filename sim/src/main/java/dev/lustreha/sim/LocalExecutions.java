package dev.lustreha.sim;

import dev.lustreha.local.sfn.ExecutionEngine;
import dev.lustreha.local.sfn.ExecutionOptions;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.StateMachineDefinition;
import dev.lustreha.trigger.ExecutionLister;
import dev.lustreha.trigger.ExecutionStarter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * StartExecution on a local state machine engine, with Step Functions' naming rule: a name is used once per
 * state machine; the same name with the same input while it runs returns that execution, anything
 * else is {@code ExecutionAlreadyExists}. Lists the running ones, with their start in virtual time,
 * as ListExecutions does.
 */
public final class LocalExecutions implements ExecutionStarter, ExecutionLister {

    /** One execution: which machine, its name and input, when it started (virtual time), and its result once it ends. */
    public record Execution(String stateMachineArn, String name, String input, Instant startedAt,
            CompletableFuture<ExecutionResult> result) {
    }

    private final ExecutionEngine engine;
    private final Map<String, StateMachineDefinition> machines;
    private final ExecutionOptions options;
    private final Supplier<Instant> clock;
    /** By machine and name, for the naming rule; written only under this object's lock. */
    private final Map<String, Execution> executions = new LinkedHashMap<>();
    /**
     * The same executions in start order, read without this object's lock. A start holds the lock
     * and then reads the clock (and the engine schedules timers on it), while a timer that holds
     * the clock's lock may list the executions (a scenario's garbage events do): readers that
     * took this lock too deadlocked with a start (seen in SimulateScenariosIT on the threaded engine).
     */
    private final List<Execution> inOrder = new CopyOnWriteArrayList<>();

    LocalExecutions(ExecutionEngine engine, List<StateMachineDefinition> machines, ExecutionOptions options,
            Supplier<Instant> clock) {
        this.engine = engine;
        this.clock = clock;
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
        Instant startedAt = clock.get();
        CompletableFuture<ExecutionResult> result = engine.startExecution(machine, name, input, options);
        Execution started = new Execution(stateMachineArn, name, input, startedAt, result);
        executions.put(stateMachineArn + "/" + name, started);
        inOrder.add(started);
        return Started.STARTED;
    }

    @Override
    public List<Running> running(String stateMachineArn) {
        return inOrder.stream().filter(e -> e.stateMachineArn().equals(stateMachineArn) && !e.result().isDone())
                .map(e -> new Running(e.name(), e.startedAt())).toList();
    }

    public List<Execution> all() {
        return new ArrayList<>(inOrder);
    }

    /** True when no execution is running. */
    public boolean idle() {
        return inOrder.stream().allMatch(e -> e.result().isDone());
    }
}
