package dev.lustreha.local.ec2;

import static org.junit.jupiter.api.Assertions.assertAll;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

/**
 * Where moto (5.2.5) and the simulated EC2 answer the same call differently on purpose. moto is a
 * wire-level check of our SDK calls, never the oracle for failover semantics (docs/design.md §6): for
 * each difference below the simulator follows the AWS documentation (or a real AWS response), as
 * {@link #aws} says with its source, and moto does not model it.
 *
 * <p>A difference is never hidden. {@link #pin} asserts both sides' actual behaviour, so the test
 * fails, naming the difference, if either side changes (for example a moto upgrade that starts
 * modelling it: then compare instead of pinning). Fields that a difference makes unequal in a
 * structural comparison are listed in {@link #paths} and shown as masked in every comparison.
 */
enum KnownMotoDifference {

    NO_TRANSIENT_STATES(
            "moto has no transient states: RunInstances is running at once, CreateVolume answers 'available', "
                    + "attach/detach of volumes and ENIs are done at once (no attaching/detaching), "
                    + "StopInstances is stopped and TerminateInstances terminated at once (no stopping/shutting-down)",
            "AWS: CreateVolume returns State=creating; AttachVolume returns 'attaching' and the volume attachment "
                    + "goes attaching -> attached, DetachVolume detaching -> detached (API_AttachVolume, "
                    + "API_DetachVolume, ebs-attaching-volume); instances go pending -> running, stopping -> stopped, "
                    + "shutting-down -> terminated (ec2-instance-lifecycle). lustre-ha polls for the final states, "
                    + "so the simulator keeps them transient on its virtual clock",
            List.of("createVolume/state")),

    VOLUME_ATTACHMENT_DELETE_ON_TERMINATION(
            "moto leaves DeleteOnTermination out of the volume attachment (AttachVolume and DetachVolume "
                    + "responses, DescribeVolumes Attachments); the simulator says false for an API attach and true for the root "
                    + "volume",
            "AWS: 'By default, when you attach a non-root EBS volume to an instance, its DeleteOnTermination "
                    + "attribute is set to false' (EC2 user guide, terminating-instances); the root volume of an "
                    + "AMI launch is deleted on termination (DeleteOnTermination=true). moto does report the value in "
                    + "DescribeInstances block device mappings, where the two sides are compared",
            List.of("attachVolume/deleteOnTermination", "detachVolume/deleteOnTermination",
                    "volumes/*/attachments/*/deleteOnTermination")),

    PRIMARY_ENI_DELETE_ON_TERMINATION(
            "moto marks the primary ENI created by RunInstances DeleteOnTermination=false; the simulator true",
            "AWS: the EC2 API reference's RunInstances/DescribeInstances sample responses show the device-index-0 "
                    + "attachment with deleteOnTermination=true; only an interface created at launch can have true "
                    + "(InstanceNetworkInterfaceSpecification.DeleteOnTermination), and the primary one is",
            List.of("enis/eni-primary*/attachment/deleteOnTermination",
                    "instance/networkInterfaces/0/deleteOnTermination")),

    ENI_FILTER_ATTACHMENT_STATUS(
            "moto does not implement the DescribeNetworkInterfaces filter attachment.status: it fails with HTTP "
                    + "500 (FilterNotImplementedError); the simulator filters",
            "AWS documents attachment.status (attaching | attached | detaching | detached) among the filters of "
                    + "API_DescribeNetworkInterfaces",
            List.of()),

    NO_IN_USE_CHECKS(
            "moto makes no in-use checks: it attaches a volume that is already attached, an ENI that is already "
                    + "attached, and onto a device name or device index already taken (it overwrites); the "
                    + "simulator refuses",
            "AWS: VolumeInUse 'vol-1 is already attached to an instance' (diux-dev/cluster#23); "
                    + "InvalidNetworkInterface.InUse 'Interface: [eni-1] in use.' (terraform-provider-aws#27513); "
                    + "InvalidParameterValue 'Attachment point /dev/sdf is already in use' (Netflix/aminator#238); "
                    + "InvalidParameterValue 'already has an interface attached at device index' "
                    + "(lstoll/k8s-vpcnet#71): real AWS responses quoted in public issues",
            List.of()),

    CREATE_TAGS_UNKNOWN_RESOURCE(
            "moto's CreateTags accepts an instance or ENI id that does not exist (it checks volume ids only); "
                    + "the simulator refuses with the resource's NotFound code",
            "AWS: CreateTags on a missing resource fails with that resource's NotFound code, e.g. "
                    + "InvalidInstanceID.NotFound 'The instance ID 'i-1' does not exist' (openaddresses/machine#445; "
                    + "aws/aws-sdk-ruby#193 sees it even for an instance just returned by RunInstances)",
            List.of()),

    NO_AZ_CHECK(
            "moto attaches a volume to an instance in another Availability Zone; the simulator refuses",
            "AWS: 'The volume and instance must be within the same Availability Zone' (API_AttachVolume, "
                    + "VolumeId); error InvalidVolume.ZoneMismatch (linuxkit/linuxkit#2388)",
            List.of()),

    DETACH_AVAILABLE_VOLUME_CODE(
            "DetachVolume of a volume that is not attached: moto answers InvalidAttachment.NotFound, the "
                    + "simulator IncorrectState",
            "AWS: IncorrectState \"Volume 'vol-1' is in the 'available' state.\" (raw AWS XML in "
                    + "kubernetes-sigs/aws-ebs-csi-driver#1801)",
            List.of()),

    STOP_TERMINATED_INSTANCE(
            "moto stops a terminated instance (answers stopping, then shows it stopped); the simulator refuses",
            "AWS: a terminated instance cannot be stopped (ec2-instance-lifecycle; docs/design.md §9: StopInstances 'Not "
                    + "allowed from shutting-down/terminated'); the error is IncorrectInstanceState (API error list)",
            List.of()),

    PRIMARY_ENI_DETACH(
            "moto detaches the primary ENI (device index 0) whenever the instance has another ENI; it refuses "
                    + "only the last one. The simulator always refuses index 0",
            "AWS: OperationNotPermitted 'The network interface at device index 0 and networkCard index 0 cannot "
                    + "be detached.' (real boto3 error in getmoto/moto#7678)",
            List.of()),

    RELEASE_ON_TERMINATION(
            "On termination moto keeps the secondary ENI attached (in-use) to the terminated instance and keeps "
                    + "the primary ENI; the simulator detaches the secondary ENI (available) and deletes the primary",
            "AWS: on termination, network interfaces with DeleteOnTermination=false are detached and become "
                    + "available, the others are deleted (EC2 user guide, using-eni; hashicorp/terraform#7185 "
                    + "'The ENI attachment disappears after deleting the EC2 instance')",
            List.of("instance/networkInterfaces", "enis/eni-mgs/status", "enis/eni-mgs/attachment")),

    TERMINATED_INSTANCE_TAGS(
            "moto keeps the tags of a terminated instance; the simulator drops them within a minute",
            "AWS: resources such as tags 'are gradually disassociated from the terminated instance' "
                    + "(EC2 user guide, ec2-instance-lifecycle / terminating-instances): code must not rely on them",
            List.of("instance/tags"));

    /** What moto does differently, in one sentence. */
    final String moto;
    /** What AWS does, and where that is written: why the simulator is trusted here. */
    final String aws;
    /** View paths (globs, {@code *} = one segment) that this difference makes unequal. */
    final List<String> paths;

    private static final Map<KnownMotoDifference, Integer> PINNED = new ConcurrentHashMap<>();

    KnownMotoDifference(String moto, String aws, List<String> paths) {
        this.moto = moto;
        this.aws = aws;
        this.paths = paths;
    }

    /**
     * Asserts this difference as it is: {@code motoBehaviour} checks moto's actual (different)
     * answer, {@code simulatorBehaviour} the simulator's, which follows AWS. A failure names the
     * difference and says which side changed.
     */
    void pin(String where, Executable motoBehaviour, Executable simulatorBehaviour) {
        PINNED.merge(this, 1, Integer::sum);
        System.out.println("[known moto difference] " + name() + " @ " + where + ": " + moto);
        try {
            assertAll(where,
                    () -> run("moto no longer behaves as pinned: if moto now models this, compare instead", motoBehaviour),
                    () -> run("the simulator no longer behaves as AWS does", simulatorBehaviour));
        } catch (AssertionFailedError e) {
            throw new AssertionFailedError("KnownMotoDifference." + name() + " @ " + where + "\n  moto: " + moto
                    + "\n  why the simulator: " + aws + "\n" + e.getMessage(), e);
        }
    }

    private static void run(String ifFails, Executable check) throws Throwable {
        try {
            check.execute();
        } catch (AssertionFailedError e) {
            throw new AssertionFailedError(ifFails + ": " + e.getMessage(), e.getExpected(), e.getActual(), e);
        }
    }

    /** Every difference pinned so far in this JVM, with how often; printed at the end of the run. */
    static String summary() {
        StringBuilder b = new StringBuilder("Known differences between moto and the simulated EC2 (simulator follows AWS):\n");
        for (KnownMotoDifference d : values()) {
            b.append(String.format("  %-40s pinned %2d x  moto: %s%n", d.name(), PINNED.getOrDefault(d, 0), d.moto));
        }
        return b.toString();
    }
}
