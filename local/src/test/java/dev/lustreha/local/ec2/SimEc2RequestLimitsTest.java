package dev.lustreha.local.ec2;

import static dev.lustreha.local.ec2.Ec2Fixture.AZ_A;
import static dev.lustreha.local.ec2.Ec2Fixture.ONE_MS;
import static dev.lustreha.local.ec2.Ec2Fixture.assertEc2Error;
import static dev.lustreha.local.ec2.Ec2Fixture.filter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.local.cloud.History;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * EC2's API request throttling, from "Request throttling for the Amazon EC2 API"
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): a token bucket per
 * API action, sized and refilled by its category; an empty bucket fails the request with
 * {@code RequestLimitExceeded}; buckets refill over (virtual) time up to their size; one action's
 * bucket does not affect another's; StopInstances and TerminateInstances also draw per instance from
 * a resource bucket.
 */
class SimEc2RequestLimitsTest {

    /** A mutating action refills 5 tokens a second: one every 200 ms. */
    private static final Duration MUTATING_TOKEN = Duration.ofMillis(200);

    private final Ec2Fixture cloud = Ec2Fixture.fixed();

    @Test
    void aMutatingActionBurstsFiftyRequestsThenFailsWithRequestLimitExceeded() {
        String vol = cloud.availableVolume(AZ_A);
        for (int i = 0; i < 50; i++) {
            // EC2 refuses to detach an available volume, and the refused request still took its token.
            assertEc2Error("IncorrectState", () -> cloud.ec2.detachVolume(r -> r.volumeId(vol)));
        }
        assertEc2Error("RequestLimitExceeded", () -> cloud.ec2.detachVolume(r -> r.volumeId(vol)));

        List<History.Call> detaches = cloud.history.callLog().stream()
                .filter(c -> c.operation().equals("Ec2.DetachVolume")).toList();
        assertEquals(51, detaches.size(), "every call is logged, the throttled one too");
        assertEquals("RequestLimitExceeded", detaches.get(50).error());
        assertEquals("IncorrectState", detaches.get(0).error());
    }

    @Test
    void aThrottledRequestChangesNothing() {
        String instance = cloud.running(cloud.subnetA);
        String vol = cloud.availableVolume(AZ_A);
        String spent = cloud.availableVolume(AZ_A);
        exhaust(() -> cloud.ec2.attachVolume(r -> r.volumeId(spent).instanceId("i-0123456789abcdef0")
                .device("/dev/sdf")));

        assertEc2Error("RequestLimitExceeded",
                () -> cloud.ec2.attachVolume(r -> r.volumeId(vol).instanceId(instance).device("/dev/sdf")));
        assertEquals("available", cloud.volume(vol).stateAsString());
        assertTrue(cloud.history.entries("Ec2.AttachVolume").isEmpty(), "no attachment was recorded");
    }

    @Test
    void aMutatingBucketRefillsFiveTokensASecondInVirtualTimeUpToItsSize() {
        String vol = cloud.availableVolume(AZ_A);
        Runnable detach = () -> cloud.ec2.detachVolume(r -> r.volumeId(vol));
        exhaust(detach);

        cloud.advance(MUTATING_TOKEN.minus(ONE_MS));
        assertEc2Error("RequestLimitExceeded", detach::run);
        cloud.advance(ONE_MS);
        assertEc2Error("IncorrectState", detach::run);
        assertEc2Error("RequestLimitExceeded", detach::run);

        // Ten seconds refill the 50 tokens; a minute more adds none beyond the bucket's size.
        cloud.advance(Duration.ofSeconds(70));
        assertEquals(50.0, cloud.sim.requestTokens("DetachVolume", false), 1e-6);
        for (int i = 0; i < 50; i++) {
            assertEc2Error("IncorrectState", detach::run);
        }
        assertEc2Error("RequestLimitExceeded", detach::run);
    }

    @Test
    void eachActionHasItsOwnBucket() {
        String instance = cloud.running(cloud.subnetA);
        String vol = cloud.availableVolume(AZ_A);
        exhaust(() -> cloud.ec2.detachVolume(r -> r.volumeId(vol)));

        // Another mutating action, a Describe and CreateTags are not affected.
        cloud.ec2.attachVolume(r -> r.volumeId(vol).instanceId(instance).device("/dev/sdf"));
        cloud.ec2.describeVolumes(r -> r.filters(filter("volume-id", vol)));
        cloud.ec2.createTags(r -> r.resources(vol).tags(Tag.builder().key("k").value("v").build()));
        assertEc2Error("RequestLimitExceeded", () -> cloud.ec2.detachVolume(r -> r.volumeId(vol)));
    }

    @Test
    void describeActionsBurstAHundredWhenFilteredAndFiftyFromASmallerBucketWhenNot() {
        String vol = cloud.availableVolume(AZ_A);
        for (int i = 0; i < 50; i++) {
            cloud.ec2.describeVolumes(r -> r.volumeIds(vol));
        }
        assertEc2Error("RequestLimitExceeded", () -> cloud.ec2.describeVolumes(r -> r.volumeIds(vol)));

        // Filtered (or paginated) requests draw from the larger bucket, still full.
        for (int i = 0; i < 99; i++) {
            cloud.ec2.describeVolumes(r -> r.filters(filter("volume-id", vol)));
        }
        cloud.ec2.describeVolumes(r -> r.maxResults(5));
        assertEc2Error("RequestLimitExceeded", () -> cloud.ec2.describeVolumes(r -> r.filters(filter("volume-id", vol))));

        // Non-mutating buckets refill 20 (filtered) and 10 (unfiltered) tokens a second.
        cloud.advance(Duration.ofMillis(100));
        assertEquals(2.0, cloud.sim.requestTokens("DescribeVolumes", false), 1e-6);
        assertEquals(1.0, cloud.sim.requestTokens("DescribeVolumes", true), 1e-6);
    }

    @Test
    void uncategorizedActionsHaveTheirOwnSizes() {
        String vol = cloud.availableVolume(AZ_A);
        for (int i = 0; i < 100; i++) {
            cloud.ec2.createTags(r -> r.resources(vol).tags(Tag.builder().key("k").value("v").build()));
        }
        assertEc2Error("RequestLimitExceeded",
                () -> cloud.ec2.createTags(r -> r.resources(vol).tags(Tag.builder().key("k").value("v").build())));
        cloud.advance(Duration.ofMillis(100));
        assertEquals(1.0, cloud.sim.requestTokens("CreateTags", false), 1e-6, "CreateTags refills 10 a second");
    }

    @Test
    void stopInstancesAlsoDrawsOneResourceTokenPerInstance() {
        List<String> instances = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            instances.add(cloud.launch(cloud.subnetA));
        }
        cloud.settle();
        // One request for 1000 instances empties the resource bucket (1000 tokens, 20 a second) ...
        cloud.ec2.stopInstances(r -> r.instanceIds(instances.subList(0, 1000)).force(true));
        String last = instances.get(1000);
        assertEc2Error("RequestLimitExceeded", () -> cloud.ec2.stopInstances(r -> r.instanceIds(last).force(true)));
        assertEquals(49.0, cloud.sim.requestTokens("StopInstances", false), 1e-6,
                "the request bucket had tokens; the throttled request took none");
        // ... which gives one instance's worth back every 50 ms.
        cloud.advance(Duration.ofMillis(50));
        cloud.ec2.stopInstances(r -> r.instanceIds(last).force(true));
        cloud.settle();
        assertEquals("stopped", cloud.state(last).toString());
    }

    @Test
    void requestLimitsCanBeLiftedForWhatHappensBeforeASimulationStarts() {
        String vol = cloud.availableVolume(AZ_A);
        cloud.sim.withoutRequestLimits(() -> {
            for (int i = 0; i < 200; i++) {
                assertEc2Error("IncorrectState", () -> cloud.ec2.detachVolume(r -> r.volumeId(vol)));
            }
        });
        assertEquals(50.0, cloud.sim.requestTokens("DetachVolume", false), 1e-6, "nothing was taken");
        assertFalse(cloud.history.callLog().stream().anyMatch(c -> "RequestLimitExceeded".equals(c.error())));
        assertEquals(200L, cloud.history.failures().get("Ec2.DetachVolume"));
    }

    /** Calls {@code call} until its action's bucket is empty (each call may fail for another reason). */
    private void exhaust(Runnable call) {
        for (int i = 0; i < 1000; i++) {
            try {
                call.run();
            } catch (Ec2Exception e) {
                if ("RequestLimitExceeded".equals(e.awsErrorDetails().errorCode())) {
                    return;
                }
            }
        }
        throw new AssertionError("the bucket never emptied");
    }
}
