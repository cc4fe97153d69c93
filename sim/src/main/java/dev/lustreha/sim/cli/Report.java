package dev.lustreha.sim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lustreha.config.Json;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.ExecutionStatus;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.sim.LocalExecutions;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.steps.HandoverState.ClaimOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code simulate} writes: whether the scenario held, every broken invariant, the roles as
 * they ended, each handover with its phases (virtual seconds, from the execution's own timings),
 * the API calls the simulated cloud answered, and how long the run took.
 *
 * @param expectations each expectation of the scenario, with what was measured
 * @param faults each fault as it was injected: the instance or volumes it hit, or why it could not be
 */
public record Report(
        String scenario,
        boolean ok,
        List<Violation> violations,
        List<RoleRow> roles,
        List<Handover> handovers,
        Map<String, Long> apiCalls,
        double virtualSeconds,
        double wallSeconds,
        long seed,
        double speed,
        List<Expectation> expectations,
        List<InjectedFault> faults) {

    public record Violation(String invariant, String detail) {
        static Violation of(Invariants.Violation v) {
            return new Violation(v.invariant(), v.detail());
        }
    }

    public record RoleRow(String role, String owner, String state, long epoch) {
    }

    /**
     * One claim of a role by a launching server, first claims included ({@code fromInstance} null).
     *
     * @param outcome SERVING, SUPERSEDED, FAILED, or RUNNING when the run ended first
     */
    public record Handover(String role, String fromInstance, String toInstance, boolean ok, String outcome,
            String execution, Phases phases) {
    }

    /**
     * Virtual seconds: claimed to fenced, fenced to detached, detached to attached, and from the
     * execution's start to the role recorded SERVING.
     */
    public record Phases(Double fence, Double detach, Double attach, Double total) {
    }

    /**
     * @param limit the scenario's bound, virtual seconds
     * @param measured what the run took, virtual seconds; null when it never happened
     */
    public record Expectation(String expect, double limit, Double measured, boolean met) {
    }

    /**
     * @param target the instance, volumes or AZ the fault hit
     * @param problem why it could not be applied (e.g. the role's owner was already gone); null when it was
     */
    public record InjectedFault(double at, String kind, String role, Double seconds, String target, String problem) {
    }

    private static final ObjectMapper OUT = Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        try {
            return OUT.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toJson() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + file, e);
        }
    }

    static List<RoleRow> roles(LocalCloud cloud) {
        return cloud.roles().stream()
                .map(r -> new RoleRow(r.id().value(), r.owner().orElse(null), r.state().name(), r.epoch())).toList();
    }

    /** Every handover execution that claimed a role, in start order. */
    static List<Handover> handovers(LocalCloud cloud, StepLog steps) {
        List<Handover> out = new ArrayList<>();
        for (LocalExecutions.Execution e : cloud.executions().all()) {
            if (!e.name().startsWith("launch-")) {
                continue;
            }
            Optional<ExecutionResult> result = e.result().isDone() && !e.result().isCompletedExceptionally()
                    ? Optional.of(e.result().join()) : Optional.empty();
            Optional<HandoverState> state = result.flatMap(ExecutionResult::output).flatMap(StepLog::parse)
                    .or(() -> steps.latest(e.name()));
            if (state.isEmpty() || state.get().claim() == null || state.get().claim().outcome() != ClaimOutcome.CLAIMED) {
                continue; // a standby, a gone instance: no role was handed over
            }
            HandoverState s = state.get();
            String outcome = result.isEmpty() ? "RUNNING"
                    : result.get().status() == ExecutionStatus.SUCCEEDED ? s.outcome() : "FAILED";
            HandoverState.Timings t = s.timings();
            Phases phases = t == null ? new Phases(null, null, null, null)
                    : new Phases(span(t.claimedAt(), t.fencedAt()), span(t.fencedAt(), t.detachedAt()),
                            span(t.detachedAt(), t.attachedAt()),
                            span(t.startedAt(), t.servingAt()));
            out.add(new Handover(s.claim().roleId(), s.claim().previousOwner(), s.input().instanceId(),
                    "SERVING".equals(outcome), outcome, e.name(), phases));
        }
        return out;
    }

    private static Double span(Instant from, Instant to) {
        return from == null || to == null ? null : Format.between(from, to);
    }

    static Map<String, Long> apiCalls(LocalCloud cloud) {
        return new TreeMap<>(cloud.sim().history().calls());
    }
}
