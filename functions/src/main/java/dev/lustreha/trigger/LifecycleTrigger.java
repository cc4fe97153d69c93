package dev.lustreha.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Config;
import dev.lustreha.config.Json;
import dev.lustreha.domain.RoleType;
import dev.lustreha.steps.HandoverState;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Turns an Auto Scaling lifecycle-action event into a workflow execution: a launch starts the
 * handover, a terminate starts the release. The execution name is derived from the instance and
 * the action's token, so a duplicate event (EventBridge delivers at least once) starts nothing new.
 * Warm pool moves, other groups and other hooks are ignored; malformed events are rejected (a
 * lifecycle event whose transition is not its detail-type's, such as autoscaling:TEST_NOTIFICATION,
 * among them: Auto Scaling sends its test message only to an SNS or SQS notification target, never
 * to EventBridge; PutLifecycleHook, NotificationTargetARN, Amazon EC2 Auto Scaling API Reference).
 * Nothing but the execution start changes anything.
 */
public final class LifecycleTrigger {

    static final String LAUNCH = "EC2 Instance-launch Lifecycle Action";
    static final String TERMINATE = "EC2 Instance-terminate Lifecycle Action";
    static final String LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING";
    static final String TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";
    private static final List<String> OPTIONAL = List.of("LifecycleActionToken", "Origin", "Destination");

    private final Config config;
    private final ExecutionStarter starter;
    private final HandoverState.Poll poll;

    public LifecycleTrigger(Config config, ExecutionStarter starter, HandoverState.Poll poll) {
        this.config = config;
        this.starter = starter;
        this.poll = poll;
    }

    public TriggerResult handle(JsonNode event) {
        if (event == null || !event.isObject()) {
            return TriggerResult.rejected("the event is not a JSON object");
        }
        if (!"aws.autoscaling".equals(Events.text(event, "source").orElse(""))) {
            return TriggerResult.rejected("source is not aws.autoscaling");
        }
        String type = Events.text(event, "detail-type").orElse("");
        JsonNode d = event.get("detail");
        if (!type.equals(LAUNCH) && !type.equals(TERMINATE)) {
            return TriggerResult.ignored("not a lifecycle action: '" + type + "'", null);
        }
        if (d == null || !d.isObject()) {
            return TriggerResult.rejected(type + " without a detail object");
        }
        Optional<String> transition = Events.text(d, "LifecycleTransition");
        boolean launch = type.equals(LAUNCH);
        if (!transition.orElse("").equals(launch ? LAUNCHING : TERMINATING)) {
            return TriggerResult.rejected(type + " with LifecycleTransition '" + transition.orElse("") + "'");
        }
        Optional<String> instance = Events.text(d, "EC2InstanceId");
        if (instance.isEmpty() || !Events.INSTANCE_ID.matcher(instance.get()).matches()) {
            return TriggerResult.rejected("EC2InstanceId missing or malformed: " + d.get("EC2InstanceId"));
        }
        String instanceId = instance.get();
        Optional<String> group = Events.text(d, "AutoScalingGroupName").filter(Events::isName);
        if (group.isEmpty()) {
            return TriggerResult.rejected("AutoScalingGroupName missing or malformed");
        }
        Optional<RoleType> roleType = config.roleTypeOfGroup(group.get());
        if (roleType.isEmpty()) {
            return TriggerResult.ignored("group " + group.get() + " is not one of this file system's", instanceId);
        }
        // Optional fields may be absent, but one that is present must be text: read as absent, a
        // Destination of ["WarmPool"] would turn a warm pool move into a launch, and a token of 42
        // would start an execution under another name than the action's.
        for (String optional : OPTIONAL) {
            if (Events.malformed(d, optional)) {
                return TriggerResult.rejected(optional + " present but not text for " + instanceId);
            }
        }
        // Warm pools: a launch into the pool, or a move from the group back into the pool, is no
        // change of membership; the instance's roles stay where they are.
        String origin = Events.text(d, "Origin").orElse("");
        String destination = Events.text(d, "Destination").orElse("");
        if (destination.equals("WarmPool")) {
            return TriggerResult.ignored("warm pool move (" + origin + " -> WarmPool)", instanceId);
        }
        String expectedHook = launch ? config.launchHookName() : config.terminateHookName();
        Optional<String> hook = Events.text(d, "LifecycleHookName").filter(Events::isName);
        if (hook.isEmpty()) {
            return TriggerResult.rejected("LifecycleHookName missing or malformed for " + instanceId);
        }
        if (expectedHook != null && !expectedHook.equals(hook.get())) {
            return TriggerResult.ignored("hook " + hook.get() + " is not lustre-ha's", instanceId);
        }
        Optional<String> token = Events.text(d, "LifecycleActionToken");
        if (token.isPresent() && !Events.TOKEN.matcher(token.get()).matches()) {
            return TriggerResult.rejected("LifecycleActionToken malformed for " + instanceId);
        }
        // One name per lifecycle action: the kind, the instance, the token. At most 80 characters, none forbidden.
        String name = (launch ? "launch-" : "release-") + instanceId + token.map(t -> "-" + t).orElse("");
        HandoverState state = new HandoverState(new HandoverState.Input(config.fileSystem().value(), instanceId,
                roleType.get().name(), group.get(), hook.get(), token.orElse(null),
                launch ? LAUNCHING : TERMINATING, name, poll), null, null, null, null, null, null, null, null);
        String arn = launch ? config.handoverStateMachineArn() : config.releaseStateMachineArn();
        ExecutionStarter.Started started = starter.start(arn, name, json(state));
        return new TriggerResult(started == ExecutionStarter.Started.STARTED ? "STARTED" : "DUPLICATE",
                started == ExecutionStarter.Started.STARTED ? null : "an execution for this action exists already",
                instanceId, name);
    }

    private static String json(HandoverState state) {
        try {
            return Json.MAPPER.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
