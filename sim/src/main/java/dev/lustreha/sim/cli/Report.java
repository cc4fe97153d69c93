package dev.lustreha.sim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lustreha.config.Json;
import dev.lustreha.domain.RoleId;
import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.local.cloud.History;
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
 * What {@code simulate} and {@code demo} write: whether the run held, every broken invariant, the
 * roles as they ended, each handover with its phases (virtual seconds, from the execution's own
 * timings), the faults, the health alarms' state changes, the API calls the simulated cloud
 * answered, and how long the run took. {@link HtmlReport} draws a page from it.
 *
 * <p>Every time on the run's own axis ({@code times}, {@code struckAt}, {@code faultsFrom}, an
 * alarm's or a violation's {@code at}) is in virtual seconds since the Auto Scaling groups were
 * created: the {@code t+} of the printed timeline.
 *
 * @param expectations each expectation of the scenario, with what was measured
 * @param faults each fault as it was injected: the instance or volumes it hit, or why it could not be
 * @param faultsFrom when every role first served, the moment fault times count from; null when the
 *     first boot never completed
 * @param replay the command that runs this again
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
        List<InjectedFault> faults,
        Double faultsFrom,
        List<AlarmChange> alarms,
        String replay) {

    /** @param at when it broke, on the run's axis; null when only the run's end shows it */
    public record Violation(String invariant, String detail, Double at) {
        static Violation of(Invariants.Violation v, Instant origin) {
            return new Violation(v.invariant(), v.detail(), v.at() == null ? null : Format.between(origin, v.at()));
        }
    }

    public record RoleRow(String role, String owner, String state, long epoch) {
    }

    /**
     * One claim of a role, first claims included ({@code fromInstance} null): by a launching server
     * ({@code kind} launch), by a standby the reconciler picked (standby), or the owner's own claim
     * resumed to move its resources back (repair).
     *
     * @param outcome SERVING, SUPERSEDED, FAILED, or RUNNING when the run ended first
     * @param times when each phase ended, on the run's axis
     */
    public record Handover(String role, String fromInstance, String toInstance, boolean ok, String outcome,
            String execution, Phases phases, String kind, Long epoch, Times times) {
    }

    /**
     * Virtual seconds of each phase: the execution's start to the claim, claimed to fenced, fenced
     * to detached, detached to attached, attached to the role recorded SERVING; and from the
     * execution's start to SERVING.
     */
    public record Phases(Double claim, Double fence, Double detach, Double attach, Double record, Double total) {
    }

    /** When the execution started and each phase ended (null: not reached), on the run's axis. */
    public record Times(Double started, Double claimed, Double fenced, Double detached, Double attached,
            Double serving, Double completed) {
    }

    /**
     * @param limit the scenario's bound, virtual seconds
     * @param measured what the run took, virtual seconds; null when it never happened
     */
    public record Expectation(String expect, double limit, Double measured, boolean met) {
    }

    /**
     * @param at the scenario's time, virtual seconds after {@code faultsFrom}
     * @param target the instance, volumes or AZ the fault hit
     * @param problem why it could not be applied (e.g. the role's owner was already gone); null when it was
     * @param struckAt when it was injected, on the run's axis (a fault tied to a step strikes later than its time)
     */
    public record InjectedFault(double at, String kind, String role, Double seconds, String target, String problem,
            Double struckAt) {
    }

    /** A health alarm's change of state, as CloudWatch recorded it. */
    public record AlarmChange(double at, String alarm, String role, String from, String to) {
    }

    private static final ObjectMapper OUT = Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String HANDOVER_MACHINE = "HandoverStateMachine";

    /** The same report, with the command that runs it again. */
    Report withReplay(String command) {
        return new Report(scenario, ok, violations, roles, handovers, apiCalls, virtualSeconds, wallSeconds, seed, speed,
                expectations, faults, faultsFrom, alarms, command);
    }

    /** A report as {@link #write} wrote it. */
    static Report read(String json) {
        try {
            return Json.MAPPER.readValue(json, Report.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a lustre-ha report: " + e.getMessage(), e);
        }
    }

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

    /** Every handover execution that claimed a role, in start order: launches, standby failovers, repairs. */
    static List<Handover> handovers(LocalCloud cloud, StepLog steps) {
        Instant origin = Timeline.origin(cloud);
        List<Handover> out = new ArrayList<>();
        for (LocalExecutions.Execution e : cloud.executions().all()) {
            if (!e.stateMachineArn().endsWith(":" + HANDOVER_MACHINE)) {
                continue; // a release
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
            Phases phases = t == null ? new Phases(null, null, null, null, null, null)
                    : new Phases(span(t.startedAt(), t.claimedAt()), span(t.claimedAt(), t.fencedAt()),
                            span(t.fencedAt(), t.detachedAt()), span(t.detachedAt(), t.attachedAt()),
                            span(t.attachedAt(), t.servingAt()), span(t.startedAt(), t.servingAt()));
            Times times = t == null ? new Times(Format.between(origin, e.startedAt()), null, null, null, null, null, null)
                    : new Times(span(origin, t.startedAt() == null ? e.startedAt() : t.startedAt()),
                            span(origin, t.claimedAt()), span(origin, t.fencedAt()), span(origin, t.detachedAt()),
                            span(origin, t.attachedAt()), span(origin, t.servingAt()), span(origin, t.completedAt()));
            out.add(new Handover(s.claim().roleId(), s.claim().previousOwner(), s.input().instanceId(),
                    "SERVING".equals(outcome), outcome, e.name(), phases, kind(e.name()), s.claim().epoch(), times));
        }
        return out;
    }

    /** What started a handover, from its execution's name (reconcile.ExecutionNames). */
    private static String kind(String execution) {
        if (execution.startsWith("standby-")) {
            return "standby";
        }
        return execution.startsWith("repair-") ? "repair" : "launch";
    }

    /** Every change of a role's health alarm, in order. */
    static List<AlarmChange> alarms(LocalCloud cloud) {
        Instant origin = Timeline.origin(cloud);
        List<AlarmChange> out = new ArrayList<>();
        for (History.Entry e : cloud.sim().history().entries("CloudWatch.AlarmStateChange")) {
            String role = HealthAlarmSpec.roleOf(cloud.spec().name(), e.get("alarm")).map(RoleId::value).orElse(null);
            out.add(new AlarmChange(Format.between(origin, e.at()), e.get("alarm"), role, e.get("from"), e.get("to")));
        }
        return out;
    }

    static List<Violation> violations(LocalCloud cloud, List<Invariants.Violation> found) {
        Instant origin = Timeline.origin(cloud);
        return found.stream().map(v -> Violation.of(v, origin)).toList();
    }

    private static Double span(Instant from, Instant to) {
        return from == null || to == null ? null : Format.between(from, to);
    }

    static Map<String, Long> apiCalls(LocalCloud cloud) {
        return new TreeMap<>(cloud.sim().history().calls());
    }
}
