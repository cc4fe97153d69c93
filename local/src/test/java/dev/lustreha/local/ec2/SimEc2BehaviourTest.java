package dev.lustreha.local.ec2;

import static dev.lustreha.local.ec2.Ec2Fixture.AZ_A;
import static dev.lustreha.local.ec2.Ec2Fixture.AZ_B;
import static dev.lustreha.local.ec2.Ec2Fixture.DELIVERY;
import static dev.lustreha.local.ec2.Ec2Fixture.ONE_MS;
import static dev.lustreha.local.ec2.Ec2Fixture.assertEc2Error;
import static dev.lustreha.local.ec2.Ec2Fixture.awsMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.local.cloud.EventBus;
import dev.lustreha.local.cloud.History;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * What cuts across EC2 operations: the shape of errors, throttling, the History the invariant
 * checker reads, EventBridge state-change notifications, and an AZ outage: the EC2 API
 * reference's error overview and request throttling pages, and docs/design.md §9 "Events".
 */
class SimEc2BehaviourTest {

    private final Ec2Fixture cloud = Ec2Fixture.fixed();

    // ------------------------------------------------------------------ errors

    @Test
    void errorsCarryTheAwsMessageOnceFollowedByTheSdkDiagnostics() {
        Ec2Exception e = assertEc2Error("InvalidVolume.NotFound",
                () -> cloud.ec2.describeVolumes(r -> r.volumeIds("vol-0123456789abcdef0")));

        // The SDK builds getMessage() as "<AWS message> (Service: Ec2, Status Code: 400, Request ID: <id>)".
        assertNotNull(e.requestId());
        assertEquals("The volume 'vol-0123456789abcdef0' does not exist. (Service: Ec2, Status Code: 400, Request ID: "
                + e.requestId() + ")", e.getMessage());
        assertFalse(e.retryable(), "a client error is not retried");
    }

    // ------------------------------------------------------------------ throttling

    @Test
    void callsInAThrottlingWindowFailWithRequestLimitExceededAndSucceedAfterIt() {
        String vol = cloud.availableVolume(AZ_A);
        Instant from = cloud.clock.now();
        Instant until = from.plus(Duration.ofSeconds(30));
        cloud.faults.throttle(from, until, 1.0);

        Ec2Exception e = assertEc2Error("RequestLimitExceeded",
                () -> cloud.ec2.describeVolumes(r -> r.volumeIds(vol)));
        assertTrue(awsMessage(e).startsWith("Request limit exceeded."), awsMessage(e));
        assertTrue(e.isThrottlingException(), "the SDK classifies it as throttling (and retries it)");
        assertEc2Error("RequestLimitExceeded", () -> cloud.ec2.createVolume(r -> r.availabilityZone(AZ_A).size(1)));
        cloud.advance(Duration.ofSeconds(30).minus(ONE_MS));
        assertEc2Error("RequestLimitExceeded", () -> cloud.ec2.describeVolumes(r -> r.volumeIds(vol)));
        assertEquals(Map.of("Ec2.CreateVolume", 1L, "Ec2.DescribeVolumes", 2L), cloud.history.failures());

        cloud.advance(ONE_MS);
        assertEquals("available", cloud.volume(vol).stateAsString());
        assertEquals(1, cloud.ec2.describeVolumes(r -> { }).volumes().size(), "the throttled create did nothing");
        assertEquals(Map.of("Ec2.CreateVolume", 1L, "Ec2.DescribeVolumes", 2L), cloud.history.failures());
    }

    // ------------------------------------------------------------------ history

    @Test
    void historyCountsApiCallsByOperationFailedOnesIncluded() {
        String instance = cloud.running(cloud.subnetA);
        String vol = cloud.availableVolume(AZ_A);
        cloud.ec2.attachVolume(r -> r.volumeId(vol).instanceId(instance).device("/dev/sdf"));
        assertThrows(Ec2Exception.class,
                () -> cloud.ec2.attachVolume(r -> r.volumeId(vol).instanceId(instance).device("/dev/sdg")));
        cloud.ec2.describeVolumes(r -> r.volumeIds(vol));
        cloud.ec2.describeVolumes(r -> { });

        Map<String, Long> calls = cloud.history.calls();
        assertEquals(1L, calls.get("Ec2.CreateVolume"));
        assertEquals(2L, calls.get("Ec2.AttachVolume"));
        assertEquals(2L, calls.get("Ec2.DescribeVolumes"));
        assertEquals(Map.of("Ec2.AttachVolume", 1L), cloud.history.failures());
        // Simulation controls are not API calls.
        assertFalse(calls.containsKey("Ec2.Launch"));
        assertEquals(1, cloud.history.entries("Ec2.Launch").size());
    }

    @Test
    void historyRecordsEachDetachWithTheHoldersStateAndTheForceFlag() {
        String instance = cloud.running(cloud.subnetA);
        String vol = cloud.availableVolume(AZ_A);
        cloud.mounted(vol, instance, "/dev/sdf");
        cloud.ec2.detachVolume(r -> r.volumeId(vol));
        cloud.ec2.stopInstances(r -> r.instanceIds(instance).force(true));
        cloud.advance(Ec2Fixture.FORCED_STOP.minus(ONE_MS));
        cloud.ec2.detachVolume(r -> r.volumeId(vol).force(true));
        cloud.settle();

        List<History.Entry> detaches = cloud.history.entries("Ec2.DetachVolume");
        assertEquals(2, detaches.size());
        History.Entry first = detaches.get(0);
        assertEquals(vol, first.get("volume"));
        assertEquals(instance, first.get("instance"));
        assertEquals("running", first.get("holderState"));
        assertEquals("false", first.get("force"));
        assertEquals("true", first.get("mounted"));
        History.Entry second = detaches.get(1);
        assertEquals("stopping", second.get("holderState"));
        assertEquals("true", second.get("force"));
        assertTrue(second.at().isAfter(first.at()));
        assertTrue(second.seq() > first.seq());
        assertEquals(1, cloud.history.entries("Ec2.VolumeBusy").size());
        assertEquals(1, cloud.history.entries("Ec2.VolumeDetached").size());
    }

    @Test
    void historyRecordsStopsWithTheirFlagsAndEveryStateChange() {
        String instance = cloud.running(cloud.subnetA);
        cloud.ec2.stopInstances(r -> r.instanceIds(instance).force(true).skipOsShutdown(true));
        cloud.settle();

        History.Entry stop = cloud.history.entries("Ec2.StopInstances").get(0);
        assertEquals(instance, stop.get("instance"));
        assertEquals("running", stop.get("previousState"));
        assertEquals("true", stop.get("force"));
        assertEquals("true", stop.get("skipOsShutdown"));
        assertEquals(List.of("pending", "running", "stopping", "stopped"), cloud.history.entries("Ec2.InstanceState")
                .stream().map(e -> e.get("state")).toList());
    }

    // ------------------------------------------------------------------ events

    @Test
    void everyInstanceStateChangePublishesAnEc2InstanceStateChangeNotification() {
        List<JsonNode> received = new ArrayList<>();
        cloud.bus.subscribe(received::add);

        String instance = cloud.running(cloud.subnetA);
        cloud.ec2.stopInstances(r -> r.instanceIds(instance));
        cloud.settle();
        cloud.ec2.terminateInstances(r -> r.instanceIds(instance));
        cloud.settle();

        assertEquals(List.of("pending", "running", "stopping", "stopped", "shutting-down", "terminated"),
                received.stream().map(e -> e.path("detail").path("state").asText()).toList());
        for (JsonNode event : received) {
            assertEquals("0", event.path("version").asText());
            assertEquals("EC2 Instance State-change Notification", event.path("detail-type").asText());
            assertEquals("aws.ec2", event.path("source").asText());
            assertEquals(EventBus.ACCOUNT, event.path("account").asText());
            assertEquals(EventBus.REGION, event.path("region").asText());
            assertFalse(event.path("id").asText().isEmpty());
            Instant.parse(event.path("time").asText());
            assertEquals(1, event.path("resources").size());
            assertEquals("arn:aws:ec2:" + EventBus.REGION + ":" + EventBus.ACCOUNT + ":instance/" + instance,
                    event.path("resources").get(0).asText());
            JsonNode detail = event.path("detail");
            assertEquals(2, detail.size(), "detail is just {instance-id, state}: " + detail);
            assertEquals(instance, detail.path("instance-id").asText());
        }
        assertEquals(6, received.stream().map(e -> e.path("id").asText()).distinct().count());
    }

    @Test
    void stateChangeNotificationsAreDeliveredOnlyAsTheClockAdvances() {
        List<JsonNode> received = new ArrayList<>();
        cloud.bus.subscribe(received::add);

        String instance = cloud.launch(cloud.subnetA);
        assertTrue(received.isEmpty());
        assertEquals(1, cloud.bus.published().size(), "published at once");
        cloud.advance(DELIVERY.minus(ONE_MS));
        assertTrue(received.isEmpty());
        cloud.advance(ONE_MS);

        assertEquals(1, received.size());
        assertEquals(instance, received.get(0).path("detail").path("instance-id").asText());
        assertEquals("pending", received.get(0).path("detail").path("state").asText());
        assertEquals(Ec2Fixture.T0.toString(), received.get(0).path("time").asText(), "stamped when it happened");
    }

    @Test
    void noStateChangeNoNotification() {
        String instance = cloud.stopped(cloud.subnetA);
        int published = cloud.bus.published().size();

        cloud.ec2.stopInstances(r -> r.instanceIds(instance));
        cloud.settle();

        assertEquals(published, cloud.bus.published().size());
    }

    // ------------------------------------------------------------------ AZ outage

    @Test
    void anAzOutageStopsTheInstancesInThatAzOnly() {
        String runningA = cloud.running(cloud.subnetA);
        String pendingA = cloud.launch(cloud.subnetA);
        String runningB = cloud.running(cloud.subnetB);
        cloud.sim.setHung(runningA, true);

        cloud.sim.azOutage(AZ_A, cloud.clock.now().plus(Duration.ofHours(1)));
        assertEquals(InstanceStateName.STOPPING, cloud.state(runningA));
        assertEquals(InstanceStateName.STOPPING, cloud.state(pendingA));
        cloud.settle();

        assertEquals(InstanceStateName.STOPPED, cloud.state(runningA));
        assertEquals(InstanceStateName.STOPPED, cloud.state(pendingA));
        assertEquals(InstanceStateName.RUNNING, cloud.state(runningB));
    }

    @Test
    void launchesInAnAzInOutageFailUntilTheWindowEnds() {
        Instant until = cloud.clock.now().plus(Duration.ofMinutes(30));
        cloud.sim.azOutage(AZ_A, until);

        Ec2Exception e = assertThrows(Ec2Exception.class, () -> cloud.launch(cloud.subnetA));
        assertEquals("InsufficientInstanceCapacity", e.awsErrorDetails().errorCode());
        assertTrue(e.statusCode() >= 500, "a server error: " + e.statusCode());
        String inB = cloud.launch(cloud.subnetB);
        assertEquals(InstanceStateName.PENDING, cloud.state(inB));
        cloud.advance(Duration.ofMinutes(30).minus(ONE_MS));
        assertThrows(Ec2Exception.class, () -> cloud.launch(cloud.subnetA));

        cloud.advance(ONE_MS);
        String inA = cloud.launch(cloud.subnetA);
        cloud.settle();
        assertEquals(InstanceStateName.RUNNING, cloud.state(inA));
        assertEquals(AZ_A, cloud.instance(inA).placement().availabilityZone());
        assertTrue(cloud.ec2.describeInstances(r -> r.filters(Ec2Fixture.filter("availability-zone", AZ_B)))
                .reservations().size() == 1);
    }
}
