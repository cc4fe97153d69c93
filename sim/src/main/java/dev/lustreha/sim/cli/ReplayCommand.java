package dev.lustreha.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleType;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.ExecutionStatus;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.sim.LocalExecutions;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.TriggerHandler;
import dev.lustreha.trigger.TriggerResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code ./lustre-ha replay <event.json>...}: the local counterpart of {@code sam local invoke -e},
 * without Docker. Boots a local file system, then hands each EventBridge event, one at a time, to the
 * production trigger its rule targets (through the trigger's real handler, which decodes the bytes:
 * EC2 state changes to the state-change trigger, CloudWatch alarm state changes to the health trigger,
 * the rest to the lifecycle trigger),
 * runs whatever workflow it starts to the end, and says what happened and what changed. Events
 * naming instances or groups the local cloud does not know are reported as such.
 */
final class ReplayCommand {

    private static final Duration LIMIT = Duration.ofMinutes(30);
    /** The EC2 and Auto Scaling calls that change something, counted per event. */
    private static final Set<String> MUTATIONS = Set.of("Ec2.AttachVolume", "Ec2.DetachVolume",
            "Ec2.AttachNetworkInterface", "Ec2.DetachNetworkInterface", "Ec2.CreateTags", "Ec2.DeleteTags",
            "Ec2.StopInstances", "Ec2.TerminateInstances", "AutoScaling.SetInstanceHealth");

    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");

    private ReplayCommand() {
    }

    record Input(Path file, byte[] bytes) {
    }

    /**
     * What one event did.
     *
     * @param trigger the trigger's action: STARTED, DUPLICATE, ORPHANED, NOOP, IGNORED, REJECTED, or
     *     FAILED when the trigger threw (Lambda would retry it)
     * @param workflow the started execution's outcome (e.g. {@code handover GONE}), or null
     * @param changes the roles that changed, as {@code oss02 SERVING@1 i-... -> SERVING@2 i-...}
     * @param mutations the EC2 and Auto Scaling calls that changed something meanwhile
     * @param unknown the instances and groups the event names that the local cloud does not have
     */
    record Outcome(String file, String trigger, String reason, String workflow, List<String> changes, long mutations,
            List<String> unknown) {
    }

    record Result(List<Outcome> outcomes, List<Report.Violation> violations) {
        boolean ok() {
            return violations.isEmpty() && outcomes.stream().noneMatch(o -> o.trigger().equals("FAILED"));
        }
    }

    /**
     * @param map instance ids the events name (say, captured in your account) -> the local role whose
     *     current server stands in for them
     */
    static Result run(List<Input> inputs, String fileSystem, Map<String, String> map, double speed, PrintStream out,
            long wallStart) throws Main.Usage {
        FileSystemName fs;
        try {
            fs = new FileSystemName(fileSystem);
        } catch (IllegalArgumentException e) {
            throw new Main.Usage("--file-system: " + e.getMessage());
        }
        FileSystemSpec spec = new FileSystemSpec(fs, "us-east-1a", 1, 4, 2, 0);
        Set<String> roleIds = spec.roles().stream().map(RoleId::value).collect(Collectors.toSet());
        for (Map.Entry<String, String> m : map.entrySet()) {
            if (!INSTANCE_ID.matcher(m.getKey()).matches()) {
                throw new Main.Usage("--map " + m.getKey() + "=" + m.getValue() + ": '" + m.getKey()
                        + "' is not an instance id");
            }
            if (!roleIds.contains(m.getValue())) {
                throw new Main.Usage("--map " + m.getKey() + "=" + m.getValue() + ": '" + m.getValue()
                        + "' is not a role of the local file system (" + String.join(", ", new TreeSet<>(roleIds)) + ")");
            }
        }
        LocalCloud.Options options = new LocalCloud.Options(7, Latency.aws(), speed, HandoverState.Poll.defaults(), true)
                .withReconciler(CloudRun.RECONCILE_EVERY);
        out.println("replay: " + Format.count(inputs.size(), "event") + " on a local cloud with file system " + fs
                + " (groups " + Arrays.stream(RoleType.values()).map(spec::groupOf).collect(Collectors.joining(", "))
                + ")");
        List<Outcome> outcomes = new ArrayList<>();
        List<Report.Violation> violations = new ArrayList<>();
        try (CloudRun run = CloudRun.start(spec, options, out, wallStart)) {
            if (!run.awaitServing(LIMIT)) {
                throw new IllegalStateException("the local file system did not boot");
            }
            run.awaitQuiet(LIMIT);
            out.println("booted: every role serving after " + Format.seconds(run.virtualSeconds()) + " virtual ("
                    + Format.seconds(run.wallSeconds()) + " wall). The local cloud's servers:");
            for (Role r : run.cloud.roles()) {
                out.println("  " + spec.groupOf(r.type()) + "  " + r.owner().orElse("-") + "  " + r.id());
            }
            Timeline timeline = run.timeline();
            TriggerHandler handler = new TriggerHandler(event -> timeline.replayed(() -> run.cloud.trigger(event))) {
            };
            for (Input in : inputs) {
                Outcome o = replay(run, timeline, handler, spec, in, map);
                outcomes.add(o);
                boolean inert = o.trigger().equals("NOOP") || o.trigger().equals("IGNORED")
                        || o.trigger().equals("REJECTED") || o.trigger().equals("DUPLICATE")
                        || (o.workflow() != null && (o.workflow().endsWith(" GONE") || o.workflow().endsWith(" STANDBY")));
                if (inert && (!o.changes().isEmpty() || o.mutations() > 0)) {
                    violations.add(new Report.Violation("I7", o.file() + ": " + o.trigger() + " but changed "
                            + o.changes() + " and made " + Format.count((int) o.mutations(), "changing call"),
                            run.virtualSeconds()));
                }
            }
            run.awaitQuiet(LIMIT);
            timeline.close();
            violations.addAll(Report.violations(run.cloud, Invariants.check(run.cloud.sim().history(), run.cloud.pool(),
                    true)));
            out.println();
            out.println("summary:");
            int width = outcomes.stream().mapToInt(o -> o.file().length()).max().orElse(10);
            for (Outcome o : outcomes) {
                out.printf("  %-" + width + "s  %-9s %-22s %s%n", o.file(), o.trigger(),
                        o.workflow() == null ? "-" : o.workflow(),
                        o.changes().isEmpty() ? "nothing changed" : String.join("; ", o.changes()));
            }
            if (violations.isEmpty()) {
                out.println("invariants: held (I1-I5 from the simulated cloud's history; I7: every event that was "
                        + "rejected, ignored or a no-op changed nothing)");
            } else {
                out.println("violations:");
                violations.forEach(v -> out.println("  " + v.invariant() + ": " + v.detail()));
            }
            out.println();
            out.println("roles at the end:");
            out.print(run.roleTable());
        }
        return new Result(outcomes, violations);
    }

    private static Outcome replay(CloudRun run, Timeline timeline, TriggerHandler handler, FileSystemSpec spec,
            Input original, Map<String, String> map) {
        String name = original.file().getFileName().toString();
        List<String> notes = new ArrayList<>();
        Input in = mapped(run, original, map, notes);
        Optional<JsonNode> event = json(in.bytes());
        List<String> unknown = event.map(e -> unknownNames(run, spec, e)).orElse(List.of());
        notes.addAll(unknown);
        StringBuilder head = new StringBuilder("\n> " + in.file() + "\n  ");
        event.ifPresentOrElse(e -> head.append(describe(e)), () -> head.append("(not JSON)"));
        notes.forEach(u -> head.append("\n  note: ").append(u));
        timeline.print(head.toString());

        Map<String, Role> before = roles(run);
        int mark = run.cloud.sim().history().entries().size();
        TriggerResult result;
        try {
            result = invoke(handler, in.bytes());
        } catch (RuntimeException e) {
            timeline.print("  trigger FAILED: " + e + " (EventBridge would retry the event)");
            return new Outcome(name, "FAILED", e.toString(), null, changes(run, before), 0, unknown);
        }
        timeline.print("  trigger: " + result.action() + (result.reason() == null ? "" : ": " + result.reason())
                + (result.execution() == null ? "" : " (execution " + result.execution() + ")"));
        String workflow = null;
        if (result.execution() != null) {
            workflow = awaitExecution(run, result.execution());
        }
        // Whatever the event set off (a replacement, a handover) runs to its end before the next event.
        run.awaitServing(LIMIT);
        run.awaitQuiet(LIMIT);
        timeline.flush();
        List<String> changes = changes(run, before);
        long mutations = run.cloud.sim().history().entries().stream().skip(mark)
                .filter(e -> MUTATIONS.contains(e.action())).count();
        String effect = changes.isEmpty() ? "no role changed" : "roles changed: " + String.join("; ", changes);
        timeline.print((workflow == null ? "" : "  workflow: " + workflow + "\n") + "  effect: " + effect + "; "
                + Format.count((int) mutations, "EC2/Auto Scaling call") + " that change anything");
        return new Outcome(name, result.action(), result.reason(), workflow, changes, mutations, unknown);
    }

    /** The event with each mapped instance id replaced by the current server of its role. */
    private static Input mapped(CloudRun run, Input in, Map<String, String> map, List<String> notes) {
        String text = new String(in.bytes(), StandardCharsets.UTF_8);
        String replaced = text;
        for (Map.Entry<String, String> m : map.entrySet()) {
            if (replaced.contains(m.getKey())) {
                String owner = run.cloud.role(m.getValue()).owner().orElseThrow();
                replaced = replaced.replace(m.getKey(), owner);
                notes.add("--map: " + m.getKey() + " replaced by " + owner + ", the " + m.getValue() + " server now");
            }
        }
        return replaced.equals(text) ? in : new Input(in.file(), replaced.getBytes(StandardCharsets.UTF_8));
    }

    /** The event through the trigger's real handler: bytes in, the trigger's JSON answer out. */
    private static TriggerResult invoke(TriggerHandler handler, byte[] bytes) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(bytes), answer, null);
            return Json.MAPPER.readValue(answer.toByteArray(), TriggerResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the execution the trigger started; says how it ended, e.g. {@code handover GONE}. */
    private static String awaitExecution(CloudRun run, String name) {
        Optional<LocalExecutions.Execution> execution = run.cloud.executions().all().stream()
                .filter(e -> e.name().equals(name)).findFirst();
        if (execution.isEmpty()) {
            return "not found";
        }
        String kind = name.startsWith("release-") ? "release" : "handover";
        ExecutionResult r;
        try {
            r = execution.get().result().get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return kind + " did not end: " + e;
        }
        if (r.status() != ExecutionStatus.SUCCEEDED) {
            return kind + " " + r.status() + " (" + r.error().orElse("") + ")";
        }
        return kind + " " + r.output().flatMap(StepLog::parse).map(HandoverState::outcome).orElse("SUCCEEDED");
    }

    private static Optional<JsonNode> json(byte[] bytes) {
        try {
            return Optional.ofNullable(Json.MAPPER.readTree(bytes)).filter(JsonNode::isObject);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String describe(JsonNode e) {
        JsonNode d = e.path("detail");
        String instance = text(d, "EC2InstanceId").or(() -> text(d, "instance-id")).orElse(null);
        String group = text(d, "AutoScalingGroupName").orElse(null);
        // EC2 state changes name a state; CloudWatch alarm state changes an alarm and its new state value.
        String state = text(d, "state").or(() -> text(d.path("state"), "value")).orElse(null);
        String alarm = text(d, "alarmName").orElse(null);
        return text(e, "detail-type").orElse("(no detail-type)") + " from " + text(e, "source").orElse("(no source)")
                + (instance == null ? "" : ", instance " + instance) + (alarm == null ? "" : ", alarm " + alarm)
                + (state == null ? "" : " " + state)
                + (group == null ? "" : ", group " + group);
    }

    /** Instances and groups the event names that the local cloud does not have. */
    private static List<String> unknownNames(CloudRun run, FileSystemSpec spec, JsonNode e) {
        List<String> unknown = new ArrayList<>();
        JsonNode d = e.path("detail");
        text(d, "EC2InstanceId").or(() -> text(d, "instance-id"))
                .filter(i -> run.cloud.sim().ec2().stateOf(i).isEmpty())
                .ifPresent(i -> unknown.add("instance " + i + " is not one of the local cloud's servers"));
        Set<String> groups = Arrays.stream(RoleType.values()).map(spec::groupOf).collect(Collectors.toSet());
        text(d, "AutoScalingGroupName").filter(g -> !groups.contains(g)).ifPresent(g -> unknown.add("group " + g
                + " is not one of the local cloud's groups" + fileSystemHint(g)));
        return unknown;
    }

    /** For a group named like another file system's ({@code prod-oss}), how to replay against that name. */
    private static String fileSystemHint(String group) {
        int dash = group.lastIndexOf('-');
        if (dash <= 0 || !Set.of("mgs", "mds", "oss").contains(group.substring(dash + 1))) {
            return "";
        }
        String fs = group.substring(0, dash);
        try {
            new FileSystemName(fs);
            return " (to replay events of file system " + fs + ", add --file-system " + fs + ")";
        } catch (IllegalArgumentException notAnFsName) {
            return "";
        }
    }

    private static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static Map<String, Role> roles(CloudRun run) {
        return run.cloud.roles().stream().collect(Collectors.toMap(r -> r.id().value(), Function.identity()));
    }

    private static List<String> changes(CloudRun run, Map<String, Role> before) {
        List<String> out = new ArrayList<>();
        for (Role now : run.cloud.roles()) {
            Role was = before.get(now.id().value());
            if (was == null || !was.equals(now)) {
                out.add(now.id() + " " + (was == null ? "-" : was.state() + "@" + was.epoch() + " "
                        + was.owner().orElse("-")) + " -> " + now.state() + "@" + now.epoch() + " "
                        + now.owner().orElse("-"));
            }
        }
        return out;
    }
}
