package dev.lustreha.local.autoscaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.local.cloud.EventBus;
import dev.lustreha.local.cloud.Faults;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.SimClock;
import dev.lustreha.local.ec2.SimEc2;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionRequest;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeLifecycleHooksRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeLifecycleHooksResponse;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.LifecycleHook;
import software.amazon.awssdk.services.autoscaling.model.LifecycleState;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatRequest;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatResponse;
import software.amazon.awssdk.services.autoscaling.model.SetDesiredCapacityRequest;
import software.amazon.awssdk.services.autoscaling.model.SetDesiredCapacityResponse;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthRequest;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthResponse;
import software.amazon.awssdk.services.autoscaling.model.TagDescription;
import software.amazon.awssdk.services.autoscaling.model.TerminateInstanceInAutoScalingGroupRequest;
import software.amazon.awssdk.services.autoscaling.model.TerminateInstanceInAutoScalingGroupResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * A simulated Amazon EC2 Auto Scaling behind the SDK's {@link AutoScalingClient} interface:
 * groups that keep their desired capacity in one subnet, launch and terminate lifecycle hooks
 * ({@code Pending:Wait}, {@code Terminating:Wait}) with heartbeat timeouts that apply the hook's
 * DefaultResult, EC2 health checks that replace stopped, terminated, impaired or
 * SetInstanceHealth-unhealthy instances (terminate-and-launch: the replacement's launch overlaps
 * the old instance's terminate hook), and the lifecycle-action events EventBridge delivers.
 *
 * <p>Where AWS leaves behaviour undocumented, the model picks the harder case for the code under
 * test: an instance killed in {@code Pending:Wait} loses its action and still goes through the
 * terminate hook; an abandoned launch goes through the terminate hook too.
 */
public final class SimAutoScaling implements AutoScalingClient {

    public static final String LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING";
    public static final String TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";

    /** How often the group checks its instances' health (AWS: "periodically"; a replacement starts within seconds). */
    static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(15);
    /** How long failing EC2 status checks are tolerated ("a few minutes") before the instance is unhealthy. */
    static final Duration IMPAIRED_TOLERANCE = Duration.ofMinutes(2);
    /** A launch that failed (no capacity) is retried after this. */
    static final Duration LAUNCH_RETRY = Duration.ofSeconds(30);
    /** From launch to entering Pending:Wait (the hook's event is sent then). */
    static final Duration ENTER_WAIT_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_GLOBAL_TIMEOUT = Duration.ofHours(48);

    /** A lifecycle hook of a group. */
    public record HookSpec(String name, String transition, int heartbeatTimeoutSeconds, String defaultResult,
            String notificationMetadata) {
        public HookSpec {
            if (!LAUNCHING.equals(transition) && !TERMINATING.equals(transition)) {
                throw new IllegalArgumentException("unknown lifecycle transition " + transition);
            }
            if (heartbeatTimeoutSeconds < 30 || heartbeatTimeoutSeconds > 7200) {
                throw new IllegalArgumentException("HeartbeatTimeout must be 30-7200 s, not " + heartbeatTimeoutSeconds);
            }
            if (!"CONTINUE".equals(defaultResult) && !"ABANDON".equals(defaultResult)) {
                throw new IllegalArgumentException("DefaultResult must be CONTINUE or ABANDON, not " + defaultResult);
            }
        }
    }

    /**
     * A group: one subnet (so one AZ), a launch template's type and image, tags propagated at launch.
     *
     * @param launchBeforeTerminate the instance maintenance policy MinHealthyPercentage=100: an
     *     unhealthy instance that still runs keeps its place until its replacement is InService. AWS
     *     applies it only to running instances; one that stopped or terminated is replaced by
     *     terminate-and-launch whatever the policy.
     */
    public record GroupSpec(String name, String subnetId, String availabilityZone, String instanceType, String imageId,
            int desiredCapacity, Map<String, String> tags, List<HookSpec> hooks, int healthCheckGracePeriodSeconds,
            boolean launchBeforeTerminate) {
    }

    private final class Group {
        final GroupSpec spec;
        final String arn;
        final Instant created;
        int desired;
        final Map<String, Member> members = new LinkedHashMap<>();

        Group(GroupSpec spec) {
            this.spec = spec;
            this.desired = spec.desiredCapacity();
            this.created = clock.now();
            this.arn = "arn:aws:autoscaling:" + EventBus.REGION + ":" + EventBus.ACCOUNT + ":autoScalingGroup:"
                    + new UUID(faults.random().nextLong(), faults.random().nextLong()) + ":autoScalingGroupName/"
                    + spec.name();
        }

        Optional<HookSpec> hook(String transition) {
            return spec.hooks().stream().filter(h -> h.transition().equals(transition)).findFirst();
        }
    }

    private static final class Member {
        final String instanceId;
        final Group group;
        LifecycleState state = LifecycleState.PENDING;
        boolean healthy = true;
        Instant inServiceAt;
        Instant impairedSince;
        Action action;
        /** Launch-before-terminate: the instance that replaces this one; this one waits for it to be InService. */
        Member replacement;
        /** The instance this one replaces (launch-before-terminate). */
        Member replaces;

        Member(String instanceId, Group group) {
            this.instanceId = instanceId;
            this.group = group;
        }

        boolean terminating() {
            return state == LifecycleState.TERMINATING || state == LifecycleState.TERMINATING_WAIT
                    || state == LifecycleState.TERMINATING_PROCEED || state == LifecycleState.TERMINATED;
        }
    }

    /** An active lifecycle action: the instance waits in Pending:Wait or Terminating:Wait. */
    private static final class Action {
        final String token;
        final HookSpec hook;
        final Instant globalDeadline;
        SimClock.Timer heartbeat;
        SimClock.Timer global;

        Action(String token, HookSpec hook, Instant globalDeadline) {
            this.token = token;
            this.hook = hook;
            this.globalDeadline = globalDeadline;
        }
    }

    private final SimClock clock;
    private final History history;
    private final Faults faults;
    private final EventBus bus;
    private final SimEc2 ec2;
    private final Map<String, Group> groups = new LinkedHashMap<>();

    public SimAutoScaling(SimClock clock, History history, Faults faults, EventBus bus, SimEc2 ec2) {
        this.clock = clock;
        this.history = history;
        this.faults = faults;
        this.bus = bus;
        this.ec2 = ec2;
        ec2.onStateChange((sim, change) -> onInstanceState(change));
    }

    @Override
    public String serviceName() {
        return "autoscaling";
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    // ---------------------------------------------------------------- simulation controls

    /** Simulation control: creates a group (as CloudFormation would) and starts filling it. */
    public void createGroup(GroupSpec spec) {
        synchronized (clock) {
            if (groups.containsKey(spec.name())) {
                throw new IllegalArgumentException("group " + spec.name() + " exists");
            }
            Group g = new Group(spec);
            groups.put(spec.name(), g);
            history.record("AutoScaling.CreateGroup", "group", spec.name(), "desired", Integer.toString(g.desired));
            scheduleHealthCheck(g);
            fill(g);
        }
    }

    /** Simulation control: the lifecycle state of an instance, empty once the group no longer lists it. */
    public Optional<LifecycleState> lifecycleStateOf(String instanceId) {
        synchronized (clock) {
            return member(instanceId).map(m -> m.state);
        }
    }

    /** Simulation control: the active lifecycle action's token of an instance, if it waits in a hook. */
    public Optional<String> activeTokenOf(String instanceId) {
        synchronized (clock) {
            return member(instanceId).map(m -> m.action).map(a -> a.token);
        }
    }

    /** Simulation control: the instances a group lists now, in launch order. */
    public List<String> instancesOf(String groupName) {
        synchronized (clock) {
            Group g = groups.get(groupName);
            return g == null ? List.of() : List.copyOf(g.members.keySet());
        }
    }

    // ---------------------------------------------------------------- API

    @Override
    public CompleteLifecycleActionResponse completeLifecycleAction(CompleteLifecycleActionRequest request) {
        return api("CompleteLifecycleAction", () -> {
            String result = request.lifecycleActionResult();
            if (!"CONTINUE".equals(result) && !"ABANDON".equals(result)) {
                throw error("ValidationError", "Invalid LifecycleActionResult: " + result
                        + ". Valid values are CONTINUE and ABANDON.");
            }
            Member m = activeMember(request.autoScalingGroupName(), request.lifecycleHookName(),
                    request.instanceId(), request.lifecycleActionToken());
            history.record("AutoScaling.CompleteLifecycleAction", "instance", m.instanceId, "group", m.group.spec.name(),
                    "hook", m.action.hook.name(), "transition", m.action.hook.transition(), "result", result,
                    "token", m.action.token);
            finishAction(m, result);
            return CompleteLifecycleActionResponse.builder().build();
        });
    }

    @Override
    public RecordLifecycleActionHeartbeatResponse recordLifecycleActionHeartbeat(
            RecordLifecycleActionHeartbeatRequest request) {
        return api("RecordLifecycleActionHeartbeat", () -> {
            Member m = activeMember(request.autoScalingGroupName(), request.lifecycleHookName(),
                    request.instanceId(), request.lifecycleActionToken());
            history.record("AutoScaling.RecordLifecycleActionHeartbeat", "instance", m.instanceId,
                    "hook", m.action.hook.name(), "token", m.action.token);
            armHeartbeat(m);
            return RecordLifecycleActionHeartbeatResponse.builder().build();
        });
    }

    @Override
    public SetInstanceHealthResponse setInstanceHealth(SetInstanceHealthRequest request) {
        return api("SetInstanceHealth", () -> {
            Member m = member(request.instanceId()).orElseThrow(() -> error("ValidationError",
                    "Instance Id not found - No instance(s) with the specified ID(s) found"));
            String status = request.healthStatus();
            if ("Healthy".equals(status)) {
                if (m.terminating()) {
                    throw error("ValidationError", "Instance " + m.instanceId + " is already terminating");
                }
                m.healthy = true;
            } else if ("Unhealthy".equals(status)) {
                m.healthy = false;
            } else {
                throw error("ValidationError", "Valid health status values are Healthy and Unhealthy, not " + status);
            }
            history.record("AutoScaling.SetInstanceHealth", "instance", m.instanceId, "health", status);
            // AWS: instances marked Unhealthy with SetInstanceHealth are replaced immediately.
            if (!m.healthy && m.state == LifecycleState.IN_SERVICE) {
                replace(m, "marked Unhealthy by SetInstanceHealth");
            }
            return SetInstanceHealthResponse.builder().build();
        });
    }

    @Override
    public TerminateInstanceInAutoScalingGroupResponse terminateInstanceInAutoScalingGroup(
            TerminateInstanceInAutoScalingGroupRequest request) {
        return api("TerminateInstanceInAutoScalingGroup", () -> {
            Member m = member(request.instanceId()).orElseThrow(() -> error("ValidationError",
                    "Instance Id not found - No managed instance found for instance ID: " + request.instanceId()));
            if (Boolean.TRUE.equals(request.shouldDecrementDesiredCapacity())) {
                m.group.desired = Math.max(0, m.group.desired - 1);
            }
            history.record("AutoScaling.TerminateInstanceInAutoScalingGroup", "instance", m.instanceId,
                    "decrement", String.valueOf(request.shouldDecrementDesiredCapacity()));
            startTermination(m, "terminated through the Auto Scaling API");
            return TerminateInstanceInAutoScalingGroupResponse.builder().build();
        });
    }

    @Override
    public SetDesiredCapacityResponse setDesiredCapacity(SetDesiredCapacityRequest request) {
        return api("SetDesiredCapacity", () -> {
            Group g = group(request.autoScalingGroupName());
            g.desired = request.desiredCapacity();
            history.record("AutoScaling.SetDesiredCapacity", "group", g.spec.name(), "desired", Integer.toString(g.desired));
            List<Member> live = g.members.values().stream().filter(m -> !m.terminating()).toList();
            for (int k = live.size() - 1; k >= g.desired; k--) {
                startTermination(live.get(k), "scale in");
            }
            fill(g);
            return SetDesiredCapacityResponse.builder().build();
        });
    }

    @Override
    public DescribeAutoScalingInstancesResponse describeAutoScalingInstances(DescribeAutoScalingInstancesRequest request) {
        return api("DescribeAutoScalingInstances", () -> {
            List<AutoScalingInstanceDetails> out = new ArrayList<>();
            for (Group g : groups.values()) {
                for (Member m : g.members.values()) {
                    if (request.instanceIds().isEmpty() || request.instanceIds().contains(m.instanceId)) {
                        out.add(AutoScalingInstanceDetails.builder()
                                .instanceId(m.instanceId)
                                .instanceType(g.spec.instanceType())
                                .autoScalingGroupName(g.spec.name())
                                .availabilityZone(g.spec.availabilityZone())
                                .lifecycleState(m.state.toString())
                                // This API spells health in capitals; DescribeAutoScalingGroups does not.
                                .healthStatus(m.healthy ? "HEALTHY" : "UNHEALTHY")
                                .imageId(g.spec.imageId())
                                .protectedFromScaleIn(false)
                                .build());
                    }
                }
            }
            return DescribeAutoScalingInstancesResponse.builder().autoScalingInstances(out).build();
        });
    }

    @Override
    public DescribeAutoScalingGroupsResponse describeAutoScalingGroups(DescribeAutoScalingGroupsRequest request) {
        return api("DescribeAutoScalingGroups", () -> {
            List<AutoScalingGroup> out = new ArrayList<>();
            for (Group g : groups.values()) {
                if (!request.autoScalingGroupNames().isEmpty()
                        && !request.autoScalingGroupNames().contains(g.spec.name())) {
                    continue;
                }
                List<Instance> instances = g.members.values().stream().map(m -> Instance.builder()
                        .instanceId(m.instanceId)
                        .instanceType(g.spec.instanceType())
                        .availabilityZone(g.spec.availabilityZone())
                        .lifecycleState(m.state)
                        .healthStatus(m.healthy ? "Healthy" : "Unhealthy")
                        .imageId(g.spec.imageId())
                        .protectedFromScaleIn(false)
                        .build()).toList();
                out.add(AutoScalingGroup.builder()
                        .autoScalingGroupName(g.spec.name())
                        .autoScalingGroupARN(g.arn)
                        .minSize(0)
                        .maxSize(Math.max(g.desired, g.spec.desiredCapacity()) + 1)
                        .desiredCapacity(g.desired)
                        .availabilityZones(g.spec.availabilityZone())
                        .vpcZoneIdentifier(g.spec.subnetId())
                        .healthCheckType("EC2")
                        .healthCheckGracePeriod(g.spec.healthCheckGracePeriodSeconds())
                        .createdTime(g.created)
                        .instances(instances)
                        .tags(g.spec.tags().entrySet().stream().map(t -> TagDescription.builder()
                                .resourceId(g.spec.name()).resourceType("auto-scaling-group")
                                .key(t.getKey()).value(t.getValue()).propagateAtLaunch(true).build()).toList())
                        .build());
            }
            return DescribeAutoScalingGroupsResponse.builder().autoScalingGroups(out).build();
        });
    }

    @Override
    public DescribeLifecycleHooksResponse describeLifecycleHooks(DescribeLifecycleHooksRequest request) {
        return api("DescribeLifecycleHooks", () -> {
            Group g = group(request.autoScalingGroupName());
            List<LifecycleHook> hooks = g.spec.hooks().stream()
                    .filter(h -> request.lifecycleHookNames().isEmpty() || request.lifecycleHookNames().contains(h.name()))
                    .map(h -> LifecycleHook.builder()
                            .lifecycleHookName(h.name())
                            .autoScalingGroupName(g.spec.name())
                            .lifecycleTransition(h.transition())
                            .heartbeatTimeout(h.heartbeatTimeoutSeconds())
                            .globalTimeout((int) globalTimeout(h).toSeconds())
                            .defaultResult(h.defaultResult())
                            .notificationMetadata(h.notificationMetadata())
                            .build())
                    .toList();
            return DescribeLifecycleHooksResponse.builder().lifecycleHooks(hooks).build();
        });
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Launches instances until the group has its desired number of instances that are neither
     * terminating nor waiting for a replacement.
     */
    private void fill(Group g) {
        long live = g.members.values().stream().filter(m -> !m.terminating() && m.replacement == null).count();
        for (long k = live; k < g.desired; k++) {
            if (launch(g) == null) {
                clock.schedule(LAUNCH_RETRY, "retry launch " + g.spec.name(), () -> fill(g));
                return;
            }
        }
    }

    /**
     * Replaces an unhealthy instance: launch-before-terminate for a running one when the group's
     * maintenance policy says so, else terminate-and-launch.
     */
    private void replace(Member m, String cause) {
        boolean running = ec2.stateOf(m.instanceId).filter(s -> s == InstanceStateName.RUNNING).isPresent();
        if (!m.group.spec.launchBeforeTerminate() || !running) {
            startTermination(m, cause);
            return;
        }
        if (m.replacement != null) {
            return;
        }
        m.healthy = false;
        history.record("AutoScaling.LaunchBeforeTerminate", "instance", m.instanceId, "cause", cause);
        Member replacement = launch(m.group);
        if (replacement == null) {
            startTermination(m, cause + "; no capacity for a replacement");
            return;
        }
        m.replacement = replacement;
        replacement.replaces = m;
    }

    private Member launch(Group g) {
        Map<String, String> tags = new LinkedHashMap<>(g.spec.tags());
        tags.put("aws:autoscaling:groupName", g.spec.name());
        String id;
        try {
            id = ec2.launch(new SimEc2.LaunchSpec(g.spec.subnetId(), g.spec.instanceType(), g.spec.imageId(), tags));
        } catch (Ec2Exception e) {
            history.record("AutoScaling.LaunchFailed", "group", g.spec.name(), "error", e.awsErrorDetails().errorCode());
            return null;
        }
        Member m = new Member(id, g);
        g.members.put(id, m);
        setState(m, LifecycleState.PENDING);
        clock.schedule(ENTER_WAIT_DELAY, "pending wait " + id, () -> {
            if (m.state == LifecycleState.PENDING) {
                Optional<HookSpec> hook = g.hook(LAUNCHING);
                if (hook.isPresent()) {
                    startAction(m, hook.get(), LifecycleState.PENDING_WAIT);
                } else {
                    goInService(m);
                }
            }
        });
        return m;
    }

    private void goInService(Member m) {
        setState(m, LifecycleState.PENDING_PROCEED);
        setState(m, LifecycleState.IN_SERVICE);
        m.inServiceAt = clock.now();
        Member old = m.replaces;
        if (old != null) {
            m.replaces = null;
            old.replacement = null;
            startTermination(old, "replaced by " + m.instanceId);
        }
    }

    /** Terminate-and-launch: the member leaves, its terminate hook runs, and a replacement launches meanwhile. */
    private void startTermination(Member m, String cause) {
        if (m.terminating()) {
            return;
        }
        m.healthy = false;
        abandonReplacement(m);
        if (m.action != null) {
            // An instance that dies while it waits in a hook loses its action; completing it now fails.
            history.record("AutoScaling.LifecycleActionCancelled", "instance", m.instanceId,
                    "hook", m.action.hook.name(), "token", m.action.token, "cause", cause);
            clearAction(m);
        }
        history.record("AutoScaling.Terminating", "instance", m.instanceId, "group", m.group.spec.name(), "cause", cause);
        setState(m, LifecycleState.TERMINATING);
        Optional<HookSpec> hook = m.group.hook(TERMINATING);
        if (hook.isPresent()) {
            startAction(m, hook.get(), LifecycleState.TERMINATING_WAIT);
        } else {
            proceedTermination(m);
        }
        fill(m.group);
    }

    /** A replacement that dies before it is InService gives its place back to the instance it was to replace. */
    private void abandonReplacement(Member m) {
        Member old = m.replaces;
        if (old != null) {
            m.replaces = null;
            old.replacement = null;
            replace(old, "its replacement " + m.instanceId + " failed");
        }
    }

    private void proceedTermination(Member m) {
        setState(m, LifecycleState.TERMINATING_PROCEED);
        Optional<InstanceStateName> ec2State = ec2.stateOf(m.instanceId);
        if (ec2State.isEmpty() || ec2State.get() == InstanceStateName.TERMINATED) {
            terminated(m);
        } else {
            ec2.terminateInternal(m.instanceId, "Auto Scaling: " + m.group.spec.name());
        }
    }

    private void terminated(Member m) {
        setState(m, LifecycleState.TERMINATED);
        m.group.members.remove(m.instanceId);
    }

    private void startAction(Member m, HookSpec hook, LifecycleState waitState) {
        Action a = new Action(new UUID(faults.random().nextLong(), faults.random().nextLong()).toString(), hook,
                clock.now().plus(globalTimeout(hook)));
        m.action = a;
        setState(m, waitState);
        armHeartbeat(m);
        a.global = clock.schedule(globalTimeout(hook), "global timeout " + m.instanceId, () -> timeout(m, a, "global"));
        history.record("AutoScaling.LifecycleActionStarted", "instance", m.instanceId, "group", m.group.spec.name(),
                "hook", hook.name(), "transition", hook.transition(), "token", a.token);
        publishLifecycleEvent(m, a);
    }

    private void armHeartbeat(Member m) {
        Action a = m.action;
        if (a.heartbeat != null) {
            a.heartbeat.cancel();
        }
        Duration d = Duration.ofSeconds(a.hook.heartbeatTimeoutSeconds());
        if (clock.now().plus(d).isAfter(a.globalDeadline)) {
            d = Duration.between(clock.now(), a.globalDeadline);
        }
        a.heartbeat = clock.schedule(d, "heartbeat timeout " + m.instanceId, () -> timeout(m, a, "heartbeat"));
    }

    private void timeout(Member m, Action a, String which) {
        if (m.action != a) {
            return;
        }
        history.record("AutoScaling.LifecycleActionTimeout", "instance", m.instanceId, "hook", a.hook.name(),
                "transition", a.hook.transition(), "token", a.token, "timeout", which,
                "defaultResult", a.hook.defaultResult());
        finishAction(m, a.hook.defaultResult());
    }

    private void finishAction(Member m, String result) {
        HookSpec hook = m.action.hook;
        clearAction(m);
        if (LAUNCHING.equals(hook.transition())) {
            if ("CONTINUE".equals(result)) {
                goInService(m);
            } else {
                startTermination(m, "launch lifecycle action abandoned");
            }
        } else {
            // At termination both results terminate (ABANDON also skips any other terminate hooks).
            proceedTermination(m);
        }
    }

    private void clearAction(Member m) {
        if (m.action.heartbeat != null) {
            m.action.heartbeat.cancel();
        }
        if (m.action.global != null) {
            m.action.global.cancel();
        }
        m.action = null;
    }

    private static Duration globalTimeout(HookSpec hook) {
        Duration hundred = Duration.ofSeconds(100L * hook.heartbeatTimeoutSeconds());
        return hundred.compareTo(MAX_GLOBAL_TIMEOUT) < 0 ? hundred : MAX_GLOBAL_TIMEOUT;
    }

    private void publishLifecycleEvent(Member m, Action a) {
        boolean launching = LAUNCHING.equals(a.hook.transition());
        ObjectNode detail = EventBus.newDetail();
        detail.put("LifecycleActionToken", a.token);
        detail.put("AutoScalingGroupName", m.group.spec.name());
        detail.put("LifecycleHookName", a.hook.name());
        detail.put("EC2InstanceId", m.instanceId);
        detail.put("LifecycleTransition", a.hook.transition());
        if (a.hook.notificationMetadata() != null) {
            detail.put("NotificationMetadata", a.hook.notificationMetadata());
        }
        detail.put("Origin", launching ? "EC2" : "AutoScalingGroup");
        detail.put("Destination", launching ? "AutoScalingGroup" : "EC2");
        bus.publish(bus.envelope("aws.autoscaling",
                launching ? "EC2 Instance-launch Lifecycle Action" : "EC2 Instance-terminate Lifecycle Action",
                List.of(m.group.arn), detail));
    }

    private void onInstanceState(SimEc2.StateChange change) {
        member(change.instanceId()).ifPresent(m -> {
            if (change.state() == InstanceStateName.TERMINATED && m.state == LifecycleState.TERMINATING_PROCEED) {
                terminated(m);
            }
        });
    }

    private void scheduleHealthCheck(Group g) {
        clock.schedule(HEALTH_CHECK_INTERVAL, "health check " + g.spec.name(), () -> {
            checkHealth(g);
            scheduleHealthCheck(g);
        });
    }

    /**
     * EC2 health checks: an instance not {@code running} is unhealthy at once (even in the grace
     * period); one failing its status checks for {@link #IMPAIRED_TOLERANCE} after the grace period
     * is unhealthy too. Unhealthy instances are replaced.
     */
    private void checkHealth(Group g) {
        for (Member m : List.copyOf(g.members.values())) {
            if (m.terminating() || m.replacement != null) {
                continue; // leaving, or waiting for its replacement to be InService
            }
            Optional<InstanceStateName> state = ec2.stateOf(m.instanceId);
            boolean running = state.isPresent()
                    && (state.get() == InstanceStateName.RUNNING || state.get() == InstanceStateName.PENDING);
            if (!running) {
                startTermination(m, "instance is " + state.map(Object::toString).orElse("gone"));
                continue;
            }
            if (m.state != LifecycleState.IN_SERVICE) {
                continue;
            }
            if (ec2.isImpaired(m.instanceId)) {
                if (m.impairedSince == null) {
                    m.impairedSince = clock.now();
                }
                boolean inGrace = m.inServiceAt != null && clock.now().isBefore(
                        m.inServiceAt.plusSeconds(g.spec.healthCheckGracePeriodSeconds()));
                if (!inGrace && !clock.now().isBefore(m.impairedSince.plus(IMPAIRED_TOLERANCE))) {
                    replace(m, "instance failed its EC2 status checks");
                    continue;
                }
            } else {
                m.impairedSince = null;
            }
            if (!m.healthy) {
                replace(m, "marked Unhealthy");
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private void setState(Member m, LifecycleState state) {
        m.state = state;
        history.record("AutoScaling.LifecycleState", "instance", m.instanceId, "group", m.group.spec.name(),
                "state", state.toString());
    }

    private Optional<Member> member(String instanceId) {
        for (Group g : groups.values()) {
            Member m = g.members.get(instanceId);
            if (m != null) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private Group group(String name) {
        Group g = groups.get(name);
        if (g == null) {
            throw error("ValidationError", "AutoScalingGroup name not found - AutoScalingGroup " + name + " not found");
        }
        return g;
    }

    /** The member whose active action matches, or the "No active Lifecycle Action" error AWS returns. */
    private Member activeMember(String groupName, String hookName, String instanceId, String token) {
        if (instanceId == null && token == null) {
            throw error("ValidationError", "Either InstanceId or LifecycleActionToken must be specified");
        }
        Group g = group(groupName);
        for (Member m : g.members.values()) {
            Action a = m.action;
            if (a != null && a.hook.name().equals(hookName)
                    && (instanceId == null || instanceId.equals(m.instanceId))
                    && (token == null || token.equals(a.token))) {
                return m;
            }
        }
        throw error("ValidationError", token != null
                ? "No active Lifecycle Action found with token " + token
                : "No active Lifecycle Action found with instance ID " + instanceId);
    }

    private <T> T api(String operation, Supplier<T> body) {
        String op = "AutoScaling." + operation;
        synchronized (clock) {
            String failed = null;
            try {
                if (faults.throttled(clock.now())) {
                    throw error("Throttling", "Rate exceeded");
                }
                return body.get();
            } catch (AutoScalingException e) {
                failed = e.awsErrorDetails().errorCode();
                throw e;
            } finally {
                history.recordCall(op, failed);
            }
        }
    }

    static AutoScalingException error(String code, String message) {
        String requestId = UUID.randomUUID().toString();
        return (AutoScalingException) AutoScalingException.builder()
                .statusCode(400)
                .requestId(requestId)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message)
                        .serviceName("AutoScaling").build())
                .message(message + " (Service: AutoScaling, Status Code: 400, Request ID: " + requestId + ")")
                .build();
    }
}
