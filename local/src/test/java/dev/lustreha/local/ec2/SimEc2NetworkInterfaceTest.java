package dev.lustreha.local.ec2;

import static dev.lustreha.local.ec2.Ec2Fixture.ENI_ATTACH;
import static dev.lustreha.local.ec2.Ec2Fixture.ENI_DETACH;
import static dev.lustreha.local.ec2.Ec2Fixture.ONE_MS;
import static dev.lustreha.local.ec2.Ec2Fixture.assertEc2Error;
import static dev.lustreha.local.ec2.Ec2Fixture.awsMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.AttachNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterface;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/**
 * ENIs: attach, detach (and Force), their errors, the primary ENI, as documented in
 * API_AttachNetworkInterface / API_DetachNetworkInterface, the user guide's network interface
 * pages, and AWS responses quoted in public issues.
 */
class SimEc2NetworkInterfaceTest {

    private final Ec2Fixture cloud = Ec2Fixture.fixed();

    // ------------------------------------------------------------------ transient states

    @Test
    void newEniIsAvailableInItsSubnetsAz() {
        CreateNetworkInterfaceResponse created = cloud.ec2.createNetworkInterface(r -> r.subnetId(cloud.subnetB)
                .description("mgs"));

        NetworkInterface eni = cloud.eni(created.networkInterface().networkInterfaceId());
        assertEquals("available", eni.statusAsString());
        assertEquals(Ec2Fixture.AZ_B, eni.availabilityZone());
        assertEquals(cloud.subnetB, eni.subnetId());
        assertTrue(eni.privateIpAddress().startsWith("10.0.2."), eni.privateIpAddress());
        assertNull(eni.attachment());
    }

    @Test
    void attachingIsVisibleUntilTheEniIsAttachedAndInUse() {
        String instance = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);

        AttachNetworkInterfaceResponse response = cloud.ec2.attachNetworkInterface(r -> r.networkInterfaceId(eni)
                .instanceId(instance).deviceIndex(1));
        assertTrue(response.attachmentId().startsWith("eni-attach-"), response.attachmentId());

        cloud.advance(ENI_ATTACH.minus(ONE_MS));
        NetworkInterface attaching = cloud.eni(eni);
        assertEquals("attaching", attaching.attachment().statusAsString());
        assertNotEquals("available", attaching.statusAsString());
        cloud.advance(ONE_MS);
        NetworkInterface attached = cloud.eni(eni);
        assertEquals("in-use", attached.statusAsString());
        assertEquals("attached", attached.attachment().statusAsString());
        assertEquals(response.attachmentId(), attached.attachment().attachmentId());
        assertEquals(instance, attached.attachment().instanceId());
        assertEquals(1, attached.attachment().deviceIndex());
        assertEquals(Boolean.FALSE, attached.attachment().deleteOnTermination(), "API attach: kept on termination");

        InstanceNetworkInterface onInstance = cloud.instance(instance).networkInterfaces().stream()
                .filter(n -> n.networkInterfaceId().equals(eni)).findFirst().orElseThrow();
        assertEquals(1, onInstance.attachment().deviceIndex());
        assertEquals(attached.privateIpAddress(), onInstance.privateIpAddress());
    }

    @Test
    void detachingIsVisibleUntilTheEniIsAvailable() {
        String instance = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);
        String attachmentId = cloud.attachedEni(eni, instance, 1);

        cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId));

        cloud.advance(ENI_DETACH.minus(ONE_MS));
        NetworkInterface detaching = cloud.eni(eni);
        assertEquals("detaching", detaching.attachment().statusAsString());
        assertEquals("detaching", detaching.statusAsString());
        cloud.advance(ONE_MS);
        NetworkInterface available = cloud.eni(eni);
        assertEquals("available", available.statusAsString());
        assertNull(available.attachment());
        assertEquals(List.of(cloud.primaryEniOf(instance)), cloud.instance(instance).networkInterfaces().stream()
                .map(InstanceNetworkInterface::networkInterfaceId).toList());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void unknownEniFailsWithInvalidNetworkInterfaceIdNotFound() {
        String instance = cloud.running(cloud.subnetA);

        // The real message is unconfirmed [?]: only the code is pinned.
        assertEc2Error("InvalidNetworkInterfaceID.NotFound", () -> cloud.ec2.attachNetworkInterface(r -> r
                .networkInterfaceId("eni-0123456789abcdef0").instanceId(instance).deviceIndex(1)));
        assertEc2Error("InvalidNetworkInterfaceID.NotFound", () -> cloud.ec2.describeNetworkInterfaces(r -> r
                .networkInterfaceIds("eni-0123456789abcdef0")));
        assertEc2Error("InvalidNetworkInterfaceID.NotFound", () -> cloud.ec2.deleteNetworkInterface(r -> r
                .networkInterfaceId("eni-0123456789abcdef0")));
    }

    @Test
    void attachToAnUnknownInstanceFailsWithInvalidInstanceIdNotFound() {
        String eni = cloud.createEni(cloud.subnetA);

        Ec2Exception e = assertEc2Error("InvalidInstanceID.NotFound", () -> cloud.ec2.attachNetworkInterface(r -> r
                .networkInterfaceId(eni).instanceId("i-0123456789abcdef0").deviceIndex(1)));
        assertEquals("The instance ID 'i-0123456789abcdef0' does not exist", awsMessage(e));
    }

    @Test
    void attachAtADeviceIndexAlreadyInUseFailsWithInvalidParameterValue() {
        String instance = cloud.running(cloud.subnetA);
        cloud.attachedEni(cloud.createEni(cloud.subnetA), instance, 1);
        String second = cloud.createEni(cloud.subnetA);

        Ec2Exception e = assertEc2Error("InvalidParameterValue", () -> cloud.ec2.attachNetworkInterface(r -> r
                .networkInterfaceId(second).instanceId(instance).deviceIndex(1)));
        assertEquals("Instance '" + instance + "' already has an interface attached at device index '1'.",
                awsMessage(e));
        Ec2Exception primary = assertEc2Error("InvalidParameterValue", () -> cloud.ec2.attachNetworkInterface(r -> r
                .networkInterfaceId(second).instanceId(instance).deviceIndex(0)));
        assertEquals("Instance '" + instance + "' already has an interface attached at device index '0'.",
                awsMessage(primary));
        assertEquals("available", cloud.eni(second).statusAsString());
    }

    @Test
    void attachOfAnEniInUseFailsWithInvalidNetworkInterfaceInUse() {
        String first = cloud.running(cloud.subnetA);
        String second = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);
        cloud.attachedEni(eni, first, 1);

        Ec2Exception e = assertEc2Error("InvalidNetworkInterface.InUse", () -> cloud.ec2.attachNetworkInterface(r -> r
                .networkInterfaceId(eni).instanceId(second).deviceIndex(1)));
        assertEquals("Interface: [" + eni + "] in use.", awsMessage(e));
        assertEquals(first, cloud.eni(eni).attachment().instanceId());
    }

    @Test
    void attachAcrossAvailabilityZonesFails() {
        String instance = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetB);

        // Docs: "You must attach a network interface to an instance in the same Availability Zone".
        // The code is the likeliest but unconfirmed [?]; the message is not pinned.
        assertEc2Error("InvalidParameterCombination", () -> cloud.ec2.attachNetworkInterface(r -> r
                .networkInterfaceId(eni).instanceId(instance).deviceIndex(1)));
        assertEquals("available", cloud.eni(eni).statusAsString());
        assertEquals(1, cloud.instance(instance).networkInterfaces().size());
    }

    @Test
    void thePrimaryEniCannotBeDetachedEvenWithForce() {
        String instance = cloud.running(cloud.subnetA);
        String primary = cloud.primaryEniOf(instance);
        String attachmentId = cloud.eni(primary).attachment().attachmentId();

        Ec2Exception e = assertEc2Error("OperationNotPermitted",
                () -> cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId)));
        assertEquals("The network interface at device index 0 and networkCard index 0 cannot be detached.",
                awsMessage(e));
        assertEc2Error("OperationNotPermitted",
                () -> cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId).force(true)));
        assertEquals("attached", cloud.eni(primary).attachment().statusAsString());
    }

    @Test
    void detachOfAnUnknownOrFinishedAttachmentFailsWithInvalidAttachmentIdNotFound() {
        String instance = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);
        String attachmentId = cloud.attachedEni(eni, instance, 1);

        // The message is unconfirmed [?]: only the code is pinned.
        assertEc2Error("InvalidAttachmentID.NotFound",
                () -> cloud.ec2.detachNetworkInterface(r -> r.attachmentId("eni-attach-0123456789abcdef0")));
        cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId));
        cloud.advance(ENI_DETACH);
        assertEc2Error("InvalidAttachmentID.NotFound",
                () -> cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId)));
    }

    @Test
    void attachmentIdOfAnEniReleasedByTerminationIsNotFound() {
        String instance = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);
        String attachmentId = cloud.attachedEni(eni, instance, 1);

        cloud.ec2.terminateInstances(r -> r.instanceIds(instance));
        cloud.settle();

        assertEc2Error("InvalidAttachmentID.NotFound",
                () -> cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId)));
        assertEquals("available", cloud.eni(eni).statusAsString());
    }

    @Test
    void requestsWithoutARequiredParameterFailWithMissingParameter() {
        String instance = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);

        assertEc2Error("MissingParameter", () -> cloud.ec2.attachNetworkInterface(r -> r.networkInterfaceId(eni)
                .instanceId(instance)));
        assertEc2Error("MissingParameter", () -> cloud.ec2.attachNetworkInterface(r -> r.instanceId(instance)
                .deviceIndex(1)));
        assertEc2Error("MissingParameter", () -> cloud.ec2.detachNetworkInterface(r -> r.force(true)));
        assertEc2Error("MissingParameter", () -> cloud.ec2.createNetworkInterface(r -> r.description("x")));
        assertEquals("available", cloud.eni(eni).statusAsString());
    }

    @Test
    void deleteOfAnAttachedEniFailsWithInvalidNetworkInterfaceInUse() {
        String instance = cloud.running(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);
        cloud.attachedEni(eni, instance, 1);

        assertEc2Error("InvalidNetworkInterface.InUse",
                () -> cloud.ec2.deleteNetworkInterface(r -> r.networkInterfaceId(eni)));
        assertEquals("in-use", cloud.eni(eni).statusAsString());
    }

    // ------------------------------------------------------------------ stopped instances and Force

    @Test
    void attachToAndDetachFromAStoppedInstanceAreAllowed() {
        String instance = cloud.stopped(cloud.subnetA);
        String eni = cloud.createEni(cloud.subnetA);

        String attachmentId = cloud.attachedEni(eni, instance, 1);
        cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId));
        cloud.advance(ENI_DETACH);

        assertEquals("available", cloud.eni(eni).statusAsString());
        assertEquals(InstanceStateName.STOPPED, cloud.state(instance));
    }

    @Test
    void forcedDetachFromARunningInstanceLeavesThatDeviceIndexUnusableUntilItStops() {
        String instance = cloud.running(cloud.subnetA);
        String first = cloud.createEni(cloud.subnetA);
        String second = cloud.createEni(cloud.subnetA);
        String attachmentId = cloud.attachedEni(first, instance, 1);

        cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId).force(true));
        cloud.advance(ENI_DETACH);
        assertEquals("available", cloud.eni(first).statusAsString());

        assertEc2Error("InvalidParameterValue", () -> cloud.ec2.attachNetworkInterface(r -> r
                .networkInterfaceId(second).instanceId(instance).deviceIndex(1)));
        // Another index is fine, and so is index 1 on another instance.
        String other = cloud.running(cloud.subnetA);
        cloud.attachedEni(first, other, 1);
        cloud.attachedEni(second, instance, 2);

        cloud.ec2.stopInstances(r -> r.instanceIds(instance));
        cloud.settle();
        assertEquals(InstanceStateName.STOPPED, cloud.state(instance));
        String third = cloud.createEni(cloud.subnetA);
        cloud.attachedEni(third, instance, 1);
    }

    @Test
    void normalDetachLeavesTheDeviceIndexUsable() {
        String instance = cloud.running(cloud.subnetA);
        String first = cloud.createEni(cloud.subnetA);
        String second = cloud.createEni(cloud.subnetA);
        String attachmentId = cloud.attachedEni(first, instance, 1);

        cloud.ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId));
        cloud.advance(ENI_DETACH);

        cloud.attachedEni(second, instance, 1);
        assertEquals(instance, cloud.eni(second).attachment().instanceId());
    }

    // ------------------------------------------------------------------ idempotency

    @Test
    void createNetworkInterfaceWithAClientTokenAlreadyUsedReturnsTheSameEni() {
        String first = cloud.ec2.createNetworkInterface(r -> r.subnetId(cloud.subnetA).clientToken("pool-mgs"))
                .networkInterface().networkInterfaceId();
        String again = cloud.ec2.createNetworkInterface(r -> r.subnetId(cloud.subnetA).clientToken("pool-mgs"))
                .networkInterface().networkInterfaceId();

        assertEquals(first, again);
        assertEc2Error("IdempotentParameterMismatch", () -> cloud.ec2.createNetworkInterface(r -> r
                .subnetId(cloud.subnetB).clientToken("pool-mgs")));
        assertEquals(1, cloud.ec2.describeNetworkInterfaces(r -> r.filters(Ec2Fixture.filter("status", "available")))
                .networkInterfaces().size());
        assertEquals(Map.of(), cloud.sim.tagsOf(first));
    }
}
