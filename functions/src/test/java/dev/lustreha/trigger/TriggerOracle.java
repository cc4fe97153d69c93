package dev.lustreha.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Config;
import dev.lustreha.config.Json;
import dev.lustreha.domain.RoleType;
import dev.lustreha.steps.HandoverState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a trigger must do with an event, written independently of the triggers: a strict reading of
 * the event shapes in docs/design.md §9. Each check returns the violations it found (empty: correct).
 *
 * <p>The rules: every field a trigger reads is, when present, a non-blank string (an optional field
 * may be absent; a wrong type or a blank is malformed); a lifecycle action is acted on only when it
 * comes from Auto Scaling, for one of this file system's groups and lustre-ha's hook, with a
 * well-formed instance id and token and no warm pool destination; a state change orphans roles
 * only for a well-formed instance that left {@code running}. Anything else changes nothing and
 * says why.
 */
final class TriggerOracle {

    /** Step Functions execution names: 1-80 characters, none of these (docs/design.md §9, StartExecution). */
    private static final Pattern SFN_FORBIDDEN = Pattern.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\x00-\\x1f\\x7f-\\x9f]");
    /** Stricter, what lustre-ha promises: the characters Step Functions needs to log an execution to CloudWatch. */
    private static final Pattern PORTABLE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");
    private static final Pattern TOKEN = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
    /** Step Functions' input limit: 256 KiB of UTF-8. */
    private static final int MAX_INPUT_BYTES = 256 * 1024;
    private static final Set<String> DEAD = Set.of("stopping", "stopped", "shutting-down", "terminated");
    private static final Set<String> ALIVE = Set.of("pending", "running");

    private TriggerOracle() {
    }

    /** Why the event must be refused; thrown while reading it. */
    private static final class Refuse extends Exception {
        Refuse(String why) {
            super(why, null, false, false);
        }
    }

    private static JsonNode object(JsonNode parent, String field) throws Refuse {
        JsonNode v = parent.get(field);
        if (v == null || !v.isObject()) {
            throw new Refuse(field + " is not an object");
        }
        return v;
    }

    private static String required(JsonNode o, String field) throws Refuse {
        String v = optional(o, field);
        if (v == null) {
            throw new Refuse(field + " is missing");
        }
        return v;
    }

    private static String optional(JsonNode o, String field) throws Refuse {
        if (!o.has(field)) {
            return null;
        }
        JsonNode v = o.get(field);
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new Refuse(field + " is present but not text: " + v.getNodeType());
        }
        return v.textValue();
    }

    private static void require(boolean ok, String why) throws Refuse {
        if (!ok) {
            throw new Refuse(why);
        }
    }

    // ------------------------------------------------------------------------------ lifecycle

    /** A lifecycle action lustre-ha must act on, as read from the event. */
    record Action(boolean launch, String instanceId, String group, RoleType roleType, String hook, String token) {
        String executionName() {
            return (launch ? "launch-" : "release-") + instanceId + (token == null ? "" : "-" + token);
        }
    }

    /** The action the event asks for, or why it must be refused. */
    static Object lifecycleAction(JsonNode e, Config config) {
        try {
            require(e != null && e.isObject(), "not an object");
            require(required(e, "source").equals("aws.autoscaling"), "not from aws.autoscaling");
            String type = required(e, "detail-type");
            require(type.equals(EventMutator.LAUNCH) || type.equals(EventMutator.TERMINATE), "not a lifecycle action");
            boolean launch = type.equals(EventMutator.LAUNCH);
            JsonNode d = object(e, "detail");
            require(required(d, "LifecycleTransition").equals(launch ? LifecycleTrigger.LAUNCHING
                    : LifecycleTrigger.TERMINATING), "transition does not match the detail-type");
            String id = required(d, "EC2InstanceId");
            require(INSTANCE_ID.matcher(id).matches(), "malformed instance id");
            String group = required(d, "AutoScalingGroupName");
            Optional<RoleType> type2 = config.roleTypeOfGroup(group);
            require(type2.isPresent(), "a foreign group");
            String hook = required(d, "LifecycleHookName");
            require(hook.equals(launch ? config.launchHookName() : config.terminateHookName()), "a foreign hook");
            String token = optional(d, "LifecycleActionToken");
            require(token == null || TOKEN.matcher(token).matches(), "malformed token");
            optional(d, "Origin");
            require(!"WarmPool".equals(optional(d, "Destination")), "a warm pool move");
            return new Action(launch, id, group, type2.get(), hook, token);
        } catch (Refuse r) {
            return r.getMessage();
        }
    }

    static List<String> checkLifecycle(JsonNode event, TriggerResult r, RecordingPorts.Starter starter, Config config) {
        List<String> v = new ArrayList<>();
        if (r == null || r.action() == null) {
            return List.of("no result");
        }
        Object expected = lifecycleAction(event, config);
        switch (r.action()) {
            case "IGNORED", "REJECTED" -> {
                refusalIsClean(r, v);
                if (!starter.starts.isEmpty()) {
                    v.add(r.action() + " but started " + starter.starts);
                }
                if (expected instanceof Action) {
                    v.add("refused a lifecycle action it must act on: " + r.reason());
                }
            }
            case "STARTED", "DUPLICATE" -> {
                if (expected instanceof String why) {
                    v.add("acted on an event it must refuse (" + why + ")");
                }
                if (starter.starts.size() != 1) {
                    v.add(r.action() + " with " + starter.starts.size() + " starts");
                } else {
                    checkStart(r, starter, expected instanceof Action a ? a : null, config, v);
                }
            }
            default -> v.add("unknown action " + r.action());
        }
        return v;
    }

    private static void refusalIsClean(TriggerResult r, List<String> v) {
        if (r.reason() == null || r.reason().isBlank()) {
            v.add(r.action() + " without a reason");
        }
        if (r.execution() != null) {
            v.add(r.action() + " naming an execution");
        }
    }

    /** A started execution: a valid name, the right state machine, an input that parses back to this action. */
    private static void checkStart(TriggerResult r, RecordingPorts.Starter starter, Action a, Config config,
            List<String> v) {
        RecordingPorts.Starter.Start s = starter.starts.get(0);
        String expectedAction = starter.answer() == ExecutionStarter.Started.STARTED ? "STARTED" : "DUPLICATE";
        if (!r.action().equals(expectedAction)) {
            v.add(r.action() + " when Step Functions answered " + starter.answer());
        }
        if (s.name() == null || s.name().isEmpty() || s.name().length() > 80 || SFN_FORBIDDEN.matcher(s.name()).find()) {
            v.add("execution name Step Functions refuses: " + s.name());
        } else if (!PORTABLE_NAME.matcher(s.name()).matches()) {
            v.add("execution name not portable ASCII: " + s.name());
        }
        if (!s.name().equals(r.execution())) {
            v.add("result names " + r.execution() + ", started " + s.name());
        }
        if (s.input().getBytes(StandardCharsets.UTF_8).length > MAX_INPUT_BYTES) {
            v.add("input over 256 KiB");
        }
        HandoverState state;
        try {
            state = Json.MAPPER.readValue(s.input(), HandoverState.class);
            if (!Json.MAPPER.writeValueAsString(state).equals(s.input())) {
                v.add("input does not survive a round trip: " + s.input());
            }
        } catch (IOException e) {
            v.add("input does not parse back: " + e.getMessage());
            return;
        }
        if (a == null) {
            return;
        }
        HandoverState.Input in = state.input();
        HandoverState expected = new HandoverState(new HandoverState.Input(config.fileSystem().value(), a.instanceId(),
                a.roleType().name(), a.group(), a.hook(), a.token(),
                a.launch() ? LifecycleTrigger.LAUNCHING : LifecycleTrigger.TERMINATING, a.executionName(),
                HandoverState.Poll.defaults()), null, null, null, null, null, null, null, null);
        if (!state.equals(expected)) {
            v.add("input " + in + " is not the event's action " + expected.input());
        }
        if (!s.name().equals(a.executionName())) {
            v.add("execution " + s.name() + " is not named after the action (" + a.executionName() + ")");
        }
        String arn = a.launch() ? config.handoverStateMachineArn() : config.releaseStateMachineArn();
        if (!arn.equals(s.arn())) {
            v.add("started " + s.arn() + " instead of " + arn);
        }
        if (!a.instanceId().equals(r.instanceId())) {
            v.add("result is about " + r.instanceId() + ", not " + a.instanceId());
        }
    }

    // ------------------------------------------------------------------------------ state change

    /** A well-formed state change: the instance and whether it left {@code running}. */
    record StateChange(String instanceId, boolean dead) {
    }

    static Object stateChange(JsonNode e) {
        try {
            require(e != null && e.isObject(), "not an object");
            require(required(e, "source").equals("aws.ec2"), "not from aws.ec2");
            require(required(e, "detail-type").equals(EventMutator.STATE_CHANGE), "not a state change");
            JsonNode d = object(e, "detail");
            String id = required(d, "instance-id");
            require(INSTANCE_ID.matcher(id).matches(), "malformed instance id");
            String state = required(d, "state");
            require(DEAD.contains(state) || ALIVE.contains(state), "unknown state");
            return new StateChange(id, DEAD.contains(state));
        } catch (Refuse r) {
            return r.getMessage();
        }
    }

    static List<String> checkStateChange(JsonNode event, TriggerResult r, RecordingPorts.RoleStoreFake store,
            List<RecordingPorts.RecordingFailover.Request> failovers) {
        if (r == null || r.action() == null) {
            return List.of("no result");
        }
        List<String> v = new ArrayList<>();
        Object expected = stateChange(event);
        List<RecordingPorts.Call> writes = store.mutations();
        if (!(expected instanceof StateChange c) || !c.dead()) {
            // Malformed, foreign or alive: nothing is written, nobody is failed over.
            String want = expected instanceof String ? "REJECTED" : "NOOP";
            if (!r.action().equals(want)) {
                v.add(r.action() + " where " + want + " was due (" + expected + ")");
            }
            refusalIsClean(r, v);
            if (!writes.isEmpty() || !failovers.isEmpty()) {
                v.add("changed state for an event it must not act on (" + expected + "): " + writes + " "
                        + failovers);
            }
            return v;
        }
        // Dead: exactly the roles it held are orphaned, conditionally on its epoch, and failed over once.
        List<String> due = RecordingPorts.RoleStoreFake.seeded().orphanable(c.instanceId());
        for (RecordingPorts.Call w : writes) {
            if (!w.method().equals("markOrphaned") || !w.detail().contains("," + c.instanceId() + ",")) {
                v.add("unexpected write " + w);
            }
        }
        if (!store.orphaned.equals(due)) {
            v.add("orphaned " + store.orphaned + ", due " + due);
        }
        String want = due.isEmpty() ? "NOOP" : "ORPHANED";
        if (!r.action().equals(want)) {
            v.add(r.action() + " where " + want + " was due");
        }
        List<RecordingPorts.RecordingFailover.Request> wantFailover = due.isEmpty() ? List.of()
                : List.of(new RecordingPorts.RecordingFailover.Request(c.instanceId(), due));
        if (!failovers.equals(wantFailover)) {
            v.add("failed over " + failovers + ", due " + wantFailover);
        }
        if (r.reason() == null || r.reason().isBlank()) {
            v.add(r.action() + " without a reason");
        }
        if (!c.instanceId().equals(r.instanceId())) {
            v.add("result is about " + r.instanceId() + ", not " + c.instanceId());
        }
        return v;
    }
}
