package dev.lustreha.sim.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lustreha.config.Json;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.ec2.SimEc2;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.sim.LocalExecutions;
import dev.lustreha.steps.HandoverState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A deterministic local cloud as the benchmarks use it: the invariants checked after every step, every
 * Task invocation recorded with the API calls it made (the in-JVM engine runs one function at a time,
 * so whatever the cloud logs meanwhile is that function's), and the checks the benchmarks wait on.
 */
final class BenchCloud implements AutoCloseable {

    /** One Task invocation: which execution and state, and the API calls its function made. */
    record Task(String machine, String execution, String state, Instant at, List<History.Call> calls) {
    }

    final LocalCloud cloud;
    final Invariants.Checker checker;
    private final List<Task> tasks = Collections.synchronizedList(new ArrayList<>());

    private BenchCloud(LocalCloud cloud) {
        this.cloud = cloud;
        this.checker = new Invariants.Checker(cloud.pool());
        History history = cloud.sim().history();
        cloud.sim().clock().afterEach(() -> checker.catchUp(history));
        cloud.intercept((call, next) -> {
            int from = history.callCount();
            Instant at = cloud.sim().clock().now();
            var result = next.invoke(call.resource(), call.input());
            tasks.add(new Task(call.machine(), call.execution(), call.state(), at, history.callsFrom(from)));
            return result;
        });
    }

    /** Starts the cloud quietly (DynamoDB Local announces itself on standard output and error). */
    static BenchCloud start(FileSystemSpec spec, LocalCloud.Options options) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream noise = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(noise, true, StandardCharsets.UTF_8);
        System.setOut(sink);
        System.setErr(sink);
        try {
            return new BenchCloud(LocalCloud.start(spec, options));
        } catch (RuntimeException | Error e) {
            err.print(noise.toString(StandardCharsets.UTF_8));
            throw e;
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    Instant now() {
        return cloud.sim().clock().now();
    }

    SimEc2 ec2() {
        return cloud.sim().ec2();
    }

    History history() {
        return cloud.sim().history();
    }

    int taskCount() {
        return tasks.size();
    }

    List<Task> tasksFrom(int from) {
        synchronized (tasks) {
            return List.copyOf(tasks.subList(from, tasks.size()));
        }
    }

    /**
     * Every role SERVING on a running owner that holds its ENI (device index 1) and every volume, all
     * attached: what a handover achieves. The guest OS mounting the targets afterwards is not
     * counted: it needs the OS booted, which no orchestration speeds up.
     */
    boolean handedOver() {
        Map<RoleId, Role> byId = cloud.roles().stream().collect(Collectors.toMap(Role::id, Function.identity()));
        for (RoleResources r : cloud.pool()) {
            Role role = byId.get(r.role().id());
            if (role == null || role.state() != RoleState.SERVING || role.owner().isEmpty()
                    || !cloud.holdsAttached(role.owner().get(), r)) {
                return false;
            }
        }
        return true;
    }

    /** Runs until every role serves (mounted too), no workflow runs and no lifecycle action is open. */
    boolean awaitQuiet(Duration virtual) {
        return cloud.awaitState(() -> cloud.executions().idle() && cloud.allServing()
                && cloud.openLifecycleActions().isEmpty(), virtual);
    }

    /** The finished executions started from index {@code from} of {@link LocalExecutions#all()} on. */
    List<Finished> executionsFrom(int from) {
        List<LocalExecutions.Execution> all = cloud.executions().all();
        List<Finished> out = new ArrayList<>();
        for (LocalExecutions.Execution e : all.subList(Math.min(from, all.size()), all.size())) {
            if (!e.result().isDone()) {
                continue;
            }
            ExecutionResult r = e.result().join();
            HandoverState state = null;
            if (r.output().isPresent()) {
                try {
                    state = Json.MAPPER.readValue(r.output().get(), HandoverState.class);
                } catch (JsonProcessingException ignored) {
                    // Not a handover's state (a release's output has the same shape; anything else stays null).
                }
            }
            out.add(new Finished(e, r, Optional.ofNullable(state)));
        }
        return out;
    }

    /** A finished execution with its final state, when it succeeded. */
    record Finished(LocalExecutions.Execution execution, ExecutionResult result, Optional<HandoverState> state) {

        boolean handover() {
            return execution.stateMachineArn().contains("Handover");
        }

        Optional<String> claimedRole() {
            return state.map(HandoverState::claim).map(HandoverState.Claim::roleId);
        }

        String outcome() {
            return state.map(HandoverState::outcome).orElse(result.status().name());
        }
    }

    @Override
    public void close() {
        cloud.sim().clock().afterEach(() -> { });
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        System.setOut(sink);
        System.setErr(sink);
        try {
            cloud.close();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
