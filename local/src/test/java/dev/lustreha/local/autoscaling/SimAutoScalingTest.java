package dev.lustreha.local.autoscaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.autoscaling.model.LifecycleState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/** The simulated Auto Scaling against the documented rules (see docs/design.md §9). */
class SimAutoScalingTest {

    private static final String GROUP = "scratch-oss";
    private static final String LAUNCH_HOOK = "launch-hook";
    private static final String TERMINATE_HOOK = "terminate-hook";

    private SimCloud cloud;
    private String subnet;
    private final List<JsonNode> delivered = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cloud = SimCloud.create(42, Latency.aws());
        subnet = cloud.ec2().addSubnet("us-east-1a", "10.0.1.");
        cloud.bus().subscribe(delivered::add);
    }

    private void createGroup(int desired, String launchDefault, String terminateDefault) {
        createGroup(desired, launchDefault, terminateDefault, false);
    }

    private void createGroup(int desired, String launchDefault, String terminateDefault, boolean launchBeforeTerminate) {
        cloud.autoScaling().createGroup(new SimAutoScaling.GroupSpec(GROUP, subnet, "us-east-1a", "c6in.4xlarge",
                "ami-0123456789abcdef0", desired, Map.of("lustre-ha:file-system", "scratch"),
                List.of(new SimAutoScaling.HookSpec(LAUNCH_HOOK, SimAutoScaling.LAUNCHING, 300, launchDefault, "oss"),
                        new SimAutoScaling.HookSpec(TERMINATE_HOOK, SimAutoScaling.TERMINATING, 120, terminateDefault,
                                null)),
                0, launchBeforeTerminate));
    }

    private void advance(int seconds) {
        cloud.clock().advance(Duration.ofSeconds(seconds));
    }

    private Optional<LifecycleState> state(String id) {
        return cloud.autoScaling().lifecycleStateOf(id);
    }

    private void complete(String id, String hook, String result) {
        cloud.autoScaling().completeLifecycleAction(r -> r.autoScalingGroupName(GROUP).lifecycleHookName(hook)
                .instanceId(id).lifecycleActionResult(result));
    }

    private List<JsonNode> lifecycleEvents(String detailType) {
        return delivered.stream().filter(e -> e.path("detail-type").asText().equals(detailType)).toList();
    }

    @Test
    void aLaunchWaitsInPendingWaitAndAnnouncesItsLifecycleAction() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        assertEquals(Optional.of(LifecycleState.PENDING), state(id));
        advance(5);
        assertEquals(Optional.of(LifecycleState.PENDING_WAIT), state(id));

        JsonNode event = lifecycleEvents("EC2 Instance-launch Lifecycle Action").get(0);
        assertEquals("aws.autoscaling", event.path("source").asText());
        assertTrue(event.path("resources").get(0).asText().endsWith(":autoScalingGroupName/" + GROUP));
        JsonNode d = event.path("detail");
        assertEquals(id, d.path("EC2InstanceId").asText());
        assertEquals(GROUP, d.path("AutoScalingGroupName").asText());
        assertEquals(LAUNCH_HOOK, d.path("LifecycleHookName").asText());
        assertEquals(SimAutoScaling.LAUNCHING, d.path("LifecycleTransition").asText());
        assertEquals("oss", d.path("NotificationMetadata").asText());
        assertEquals("EC2", d.path("Origin").asText());
        assertEquals("AutoScalingGroup", d.path("Destination").asText());
        assertEquals(cloud.autoScaling().activeTokenOf(id).orElseThrow(), d.path("LifecycleActionToken").asText());
    }

    @Test
    void instancesCarryTheGroupTagAndPropagatedTags() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        Map<String, String> tags = cloud.ec2().tagsOf(id);
        assertEquals(GROUP, tags.get("aws:autoscaling:groupName"));
        assertEquals("scratch", tags.get("lustre-ha:file-system"));
    }

    @Test
    void continueBringsTheInstanceInService() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(5);
        complete(id, LAUNCH_HOOK, "CONTINUE");
        assertEquals(Optional.of(LifecycleState.IN_SERVICE), state(id));
        AutoScalingInstanceDetails d = cloud.autoScaling().describeAutoScalingInstances(r -> r.instanceIds(id))
                .autoScalingInstances().get(0);
        assertEquals("InService", d.lifecycleState());
        assertEquals("HEALTHY", d.healthStatus(), "DescribeAutoScalingInstances spells health in capitals");
        assertEquals("us-east-1a", d.availabilityZone());
    }

    @Test
    void completingAnEndedActionFailsWithNoActiveLifecycleAction() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(5);
        String token = cloud.autoScaling().activeTokenOf(id).orElseThrow();
        complete(id, LAUNCH_HOOK, "CONTINUE");

        AutoScalingException byId = assertThrows(AutoScalingException.class,
                () -> complete(id, LAUNCH_HOOK, "CONTINUE"));
        assertEquals("ValidationError", byId.awsErrorDetails().errorCode());
        assertEquals(400, byId.statusCode());
        assertEquals("No active Lifecycle Action found with instance ID " + id, byId.awsErrorDetails().errorMessage());

        AutoScalingException byToken = assertThrows(AutoScalingException.class,
                () -> cloud.autoScaling().completeLifecycleAction(r -> r.autoScalingGroupName(GROUP)
                        .lifecycleHookName(LAUNCH_HOOK).lifecycleActionToken(token).lifecycleActionResult("CONTINUE")));
        assertEquals("No active Lifecycle Action found with token " + token, byToken.awsErrorDetails().errorMessage());
        assertEquals(3L, cloud.history().calls().get("AutoScaling.CompleteLifecycleAction"));
        assertEquals(2L, cloud.history().failures().get("AutoScaling.CompleteLifecycleAction"));
    }

    @Test
    void aLaunchHookTimeoutAppliesDefaultResultAbandonAndTheGroupLaunchesAReplacement() {
        createGroup(1, "ABANDON", "CONTINUE");
        String first = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(5 + 300);

        assertEquals(1, cloud.history().entries("AutoScaling.LifecycleActionTimeout").size());
        History.Entry timeout = cloud.history().entries("AutoScaling.LifecycleActionTimeout").get(0);
        assertEquals("ABANDON", timeout.get("defaultResult"));
        List<String> members = cloud.autoScaling().instancesOf(GROUP);
        String replacement = members.get(members.size() - 1);
        assertNotEquals(first, replacement, "ABANDON at launch terminates the instance and launches another");
        advance(120 + 60); // the abandoned instance's terminate hook times out (CONTINUE), then it terminates
        assertEquals(Optional.of(InstanceStateName.TERMINATED), cloud.ec2().stateOf(first));
        assertEquals(Optional.empty(), state(first), "a terminated instance leaves the group");
    }

    @Test
    void aLaunchHookTimeoutWithDefaultContinueGoesInService() {
        createGroup(1, "CONTINUE", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(5 + 300);
        assertEquals(Optional.of(LifecycleState.IN_SERVICE), state(id));
    }

    @Test
    void abandonAtLaunchLeadsToAReplacement() {
        createGroup(1, "CONTINUE", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(5);
        complete(id, LAUNCH_HOOK, "ABANDON");
        assertTrue(state(id).orElseThrow().toString().startsWith("Terminating"));
        List<String> members = cloud.autoScaling().instancesOf(GROUP);
        assertEquals(2, members.size(), "the replacement launches while the abandoned instance terminates");
    }

    @Test
    void aHeartbeatRestartsTheTimeout() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(5 + 250);
        cloud.autoScaling().recordLifecycleActionHeartbeat(r -> r.autoScalingGroupName(GROUP)
                .lifecycleHookName(LAUNCH_HOOK).instanceId(id));
        advance(250);
        assertEquals(Optional.of(LifecycleState.PENDING_WAIT), state(id), "500 s after the start, 250 after the heartbeat");
        advance(60);
        assertTrue(state(id).isEmpty() || state(id).get().toString().startsWith("Terminating"),
                "300 s after the heartbeat the default result applies");
    }

    @Test
    void aStoppedInstanceIsReplacedThroughItsTerminateHookWhileTheReplacementLaunches() {
        createGroup(1, "ABANDON", "CONTINUE");
        String old = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(30);
        complete(old, LAUNCH_HOOK, "CONTINUE");
        cloud.ec2().stopInstances(r -> r.instanceIds(old).force(true));
        advance(30); // force stop completes and a health check runs

        assertEquals(Optional.of(LifecycleState.TERMINATING_WAIT), state(old));
        JsonNode terminate = lifecycleEvents("EC2 Instance-terminate Lifecycle Action").get(0).path("detail");
        assertEquals(old, terminate.path("EC2InstanceId").asText());
        assertEquals("AutoScalingGroup", terminate.path("Origin").asText());
        assertEquals("EC2", terminate.path("Destination").asText());
        List<String> members = cloud.autoScaling().instancesOf(GROUP);
        assertEquals(2, members.size());
        String replacement = members.get(1);
        assertEquals(Optional.of(LifecycleState.PENDING_WAIT), state(replacement),
                "terminate-and-launch: the new instance waits in its launch hook while the old one waits in its terminate hook");

        complete(old, TERMINATE_HOOK, "CONTINUE");
        advance(60);
        assertEquals(Optional.of(InstanceStateName.TERMINATED), cloud.ec2().stateOf(old));
        assertEquals(List.of(replacement), cloud.autoScaling().instancesOf(GROUP));
    }

    @Test
    void setInstanceHealthUnhealthyReplacesAtOnce() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(30);
        complete(id, LAUNCH_HOOK, "CONTINUE");
        cloud.autoScaling().setInstanceHealth(r -> r.instanceId(id).healthStatus("Unhealthy").shouldRespectGracePeriod(false));
        assertEquals(Optional.of(LifecycleState.TERMINATING_WAIT), state(id));
        assertEquals("UNHEALTHY", cloud.autoScaling().describeAutoScalingInstances(r -> r.instanceIds(id))
                .autoScalingInstances().get(0).healthStatus());
        assertEquals(2, cloud.autoScaling().instancesOf(GROUP).size());
    }

    @Test
    void aHungInstanceIsReplacedOnceItsStatusChecksHaveFailedForAFewMinutes() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(60);
        complete(id, LAUNCH_HOOK, "CONTINUE");
        cloud.ec2().setHung(id, true);
        advance(60);
        assertEquals(Optional.of(LifecycleState.IN_SERVICE), state(id), "impaired for a minute: tolerated");
        advance(120);
        assertEquals(Optional.of(LifecycleState.TERMINATING_WAIT), state(id));
        assertEquals(Optional.of(InstanceStateName.RUNNING), cloud.ec2().stateOf(id),
                "the zombie keeps running while its terminate hook waits: fencing is ours to do");
    }

    @Test
    void anInstanceKilledInPendingWaitLosesItsActionAndIsReplaced() {
        createGroup(1, "ABANDON", "CONTINUE");
        String id = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(30);
        cloud.ec2().terminateInstances(r -> r.instanceIds(id));
        advance(30);
        AutoScalingException e = assertThrows(AutoScalingException.class, () -> complete(id, LAUNCH_HOOK, "CONTINUE"));
        assertEquals("ValidationError", e.awsErrorDetails().errorCode());
        assertEquals(1, cloud.history().entries("AutoScaling.LifecycleActionCancelled").size());
        assertEquals(2, cloud.autoScaling().instancesOf(GROUP).size(), "a replacement is on its way");
    }

    @Test
    void throttledCallsFailWithThrottlingAndAreCounted() {
        createGroup(1, "ABANDON", "CONTINUE");
        cloud.faults().throttle(cloud.clock().now(), cloud.clock().now().plusSeconds(10), 1.0);
        AutoScalingException e = assertThrows(AutoScalingException.class,
                () -> cloud.autoScaling().describeAutoScalingInstances(r -> { }));
        assertEquals("Throttling", e.awsErrorDetails().errorCode());
        assertEquals("Rate exceeded", e.awsErrorDetails().errorMessage());
        assertEquals(1L, cloud.history().failures().get("AutoScaling.DescribeAutoScalingInstances"));
        advance(11);
        assertEquals(1, cloud.autoScaling().describeAutoScalingInstances(r -> { }).autoScalingInstances().size());
    }

    @Test
    void unknownGroupsAndInstancesAreValidationErrors() {
        createGroup(1, "ABANDON", "CONTINUE");
        AutoScalingException noGroup = assertThrows(AutoScalingException.class,
                () -> cloud.autoScaling().completeLifecycleAction(r -> r.autoScalingGroupName("nope")
                        .lifecycleHookName(LAUNCH_HOOK).instanceId("i-0").lifecycleActionResult("CONTINUE")));
        assertEquals("ValidationError", noGroup.awsErrorDetails().errorCode());
        AutoScalingException noInstance = assertThrows(AutoScalingException.class,
                () -> cloud.autoScaling().setInstanceHealth(r -> r.instanceId("i-00000000000000000").healthStatus("Unhealthy")));
        assertEquals("ValidationError", noInstance.awsErrorDetails().errorCode());
        AutoScalingException badResult = assertThrows(AutoScalingException.class,
                () -> complete(cloud.autoScaling().instancesOf(GROUP).get(0), LAUNCH_HOOK, "MAYBE"));
        assertEquals("ValidationError", badResult.awsErrorDetails().errorCode());
    }

    @Test
    void theGroupKeepsItsDesiredCapacityThroughFailures() {
        createGroup(3, "CONTINUE", "CONTINUE");
        advance(400);
        List<String> first = cloud.autoScaling().instancesOf(GROUP);
        assertEquals(3, first.size());
        cloud.ec2().terminateInstances(r -> r.instanceIds(first.get(0), first.get(1)));
        advance(1200);
        List<String> now = cloud.autoScaling().instancesOf(GROUP);
        assertEquals(3, now.size());
        assertTrue(now.contains(first.get(2)));
        for (String id : now) {
            assertEquals(Optional.of(LifecycleState.IN_SERVICE), state(id));
        }
    }

    @Test
    void launchBeforeTerminateKeepsAnUnhealthyRunningInstanceUntilItsReplacementIsInService() {
        createGroup(1, "ABANDON", "CONTINUE", true);
        String old = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(60);
        complete(old, LAUNCH_HOOK, "CONTINUE");
        cloud.ec2().setHung(old, true);
        advance(150);
        List<String> members = cloud.autoScaling().instancesOf(GROUP);
        assertEquals(2, members.size());
        String replacement = members.get(1);
        assertEquals(Optional.of(LifecycleState.IN_SERVICE), state(old), "the zombie keeps its place, unhealthy");
        assertEquals("UNHEALTHY", cloud.autoScaling().describeAutoScalingInstances(r -> r.instanceIds(old))
                .autoScalingInstances().get(0).healthStatus());
        assertEquals(Optional.of(LifecycleState.PENDING_WAIT), state(replacement));
        assertEquals(0, lifecycleEvents("EC2 Instance-terminate Lifecycle Action").size());

        cloud.ec2().stopInstances(r -> r.instanceIds(old).force(true));
        advance(60);
        assertEquals(Optional.of(LifecycleState.IN_SERVICE), state(old),
                "stopped while its replacement launches: it still waits for the replacement");

        complete(replacement, LAUNCH_HOOK, "CONTINUE");
        assertEquals(Optional.of(LifecycleState.TERMINATING_WAIT), state(old), "the replacement is InService: now it goes");
    }

    @Test
    void withoutTheMaintenancePolicyAHungInstanceTerminatesFirst() {
        createGroup(1, "ABANDON", "CONTINUE", false);
        String old = cloud.autoScaling().instancesOf(GROUP).get(0);
        advance(60);
        complete(old, LAUNCH_HOOK, "CONTINUE");
        cloud.ec2().setHung(old, true);
        advance(150);
        assertEquals(Optional.of(LifecycleState.TERMINATING_WAIT), state(old));
    }
}
