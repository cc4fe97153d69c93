package dev.lustreha.local.ec2;

import static dev.lustreha.local.ec2.KnownMotoDifference.CREATE_TAGS_UNKNOWN_RESOURCE;
import static dev.lustreha.local.ec2.KnownMotoDifference.DETACH_AVAILABLE_VOLUME_CODE;
import static dev.lustreha.local.ec2.KnownMotoDifference.ENI_FILTER_ATTACHMENT_STATUS;
import static dev.lustreha.local.ec2.KnownMotoDifference.NO_AZ_CHECK;
import static dev.lustreha.local.ec2.KnownMotoDifference.NO_IN_USE_CHECKS;
import static dev.lustreha.local.ec2.KnownMotoDifference.NO_TRANSIENT_STATES;
import static dev.lustreha.local.ec2.KnownMotoDifference.PRIMARY_ENI_DELETE_ON_TERMINATION;
import static dev.lustreha.local.ec2.KnownMotoDifference.PRIMARY_ENI_DETACH;
import static dev.lustreha.local.ec2.KnownMotoDifference.RELEASE_ON_TERMINATION;
import static dev.lustreha.local.ec2.KnownMotoDifference.STOP_TERMINATED_INSTANCE;
import static dev.lustreha.local.ec2.KnownMotoDifference.TERMINATED_INSTANCE_TAGS;
import static dev.lustreha.local.ec2.KnownMotoDifference.VOLUME_ATTACHMENT_DELETE_ON_TERMINATION;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.local.cloud.EventBus;
import dev.lustreha.local.cloud.Faults;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.SimClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttachNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DetachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * An independent wire-level check of the simulated EC2 ({@link SimEc2}): the same SDK v2 calls
 * lustre-ha makes (create, attach, detach and describe volumes and ENIs with the filters we use,
 * stop and terminate, tags) go to the simulator and, through a real {@link Ec2Client} over HTTP,
 * to a moto_server on 127.0.0.1; after each step the fields lustre-ha reads must agree, compared
 * on structure with each side's ids mapped to the scenario's names (see {@link WireView}).
 *
 * <p>moto is never the oracle for failover semantics (docs/design.md §6). Where it differs by design
 * (no transient states, no AZ or in-use checks, some error codes), the test says so: a
 * {@link KnownMotoDifference} pins moto's actual answer and the simulator's, with the AWS source
 * for why the simulator is right. Comparisons run after {@link Ec2Side#settle()}, which lets the
 * simulator's transient states end on its virtual clock.
 */
class MotoWireIT {

    private static final String AZ = "us-east-1a";
    private static final String OTHER_AZ = "us-east-1b";
    /** The AMI moto's own EC2 tests launch (it is among moto's bundled images). */
    private static final String AMI = "ami-12c6146b";
    private static final String TYPE = "m6i.large";
    /** Longer than every transient state of {@link Latency#aws()} and the tag loss after termination. */
    private static final Duration SETTLE = Duration.ofMinutes(2);

    private static final String UNKNOWN_VOLUME = "vol-0123456789abcdef0";
    private static final String UNKNOWN_INSTANCE = "i-0123456789abcdef0";
    private static final String UNKNOWN_ENI = "eni-0123456789abcdef0";
    private static final String UNKNOWN_ENI_ATTACHMENT = "eni-attach-0123456789abcdef0";

    private static MotoServer moto;
    private static Ec2Client motoClient;

    private SimClock clock;
    private SimEc2 simEc2;
    private Ec2Side sim;
    private Ec2Side mo;

    /** The same call's result on both sides. */
    private record Both<T>(T sim, T moto) {
    }

    /** What a call did: a value or an SDK error. */
    private record Outcome(Object value, SdkException error) {
        String code() {
            return error instanceof AwsServiceException e && e.awsErrorDetails() != null
                    ? e.awsErrorDetails().errorCode() : null;
        }

        int status() {
            return error instanceof AwsServiceException e ? e.statusCode() : -1;
        }

        @Override
        public String toString() {
            return error == null ? "succeeded" : "failed: " + status() + " " + code() + " " + error.getMessage();
        }
    }

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.start();
        motoClient = moto.newClient();
    }

    @AfterAll
    static void stopMoto() {
        if (motoClient != null) {
            motoClient.close();
        }
        if (moto != null) {
            moto.close();
        }
        System.out.println(KnownMotoDifference.summary());
    }

    @BeforeEach
    void freshClouds() throws Exception {
        moto.reset();
        clock = new SimClock(Instant.parse("2026-01-05T10:00:00Z"));
        History history = new History(clock);
        Faults faults = new Faults(3);
        Latency latency = Latency.aws();
        simEc2 = new SimEc2(clock, history, faults, latency, new EventBus(clock, faults, latency, history));
        sim = new Ec2Side("simulator", simEc2, () -> clock.advance(SETTLE));
        mo = new Ec2Side("moto", motoClient, () -> { });
        // The subnet: the simulator's own in us-east-1a; moto's default subnet of that AZ.
        sim.name(simEc2.addSubnet(AZ, "10.0.1."), "subnet-a");
        mo.name(motoClient.describeSubnets(r -> r.filters(filter("availability-zone", AZ),
                filter("default-for-az", "true"))).subnets().get(0).subnetId(), "subnet-a");
    }

    // ====================================================================== the scenario

    @Test
    void theSameCallsGetTheSameAnswers() {
        // ---- an instance: launched, then running
        launch("oss-a", Map.of("Name", "oss-a", "lustre-ha:fs", "scratch"));
        Both<Instance> launched = both(s -> instance(s, "i-oss-a"));
        NO_TRANSIENT_STATES.pin("instance right after launch",
                () -> assertEquals("running", launched.moto().state().nameAsString()),
                () -> assertEquals("pending", launched.sim().state().nameAsString()));
        settle();
        Both<Instance> running = both(s -> instance(s, "i-oss-a"));
        same("DescribeInstances: running", running, WireView::instance, PRIMARY_ENI_DELETE_ON_TERMINATION);
        assertEquals(16, running.sim().state().code());
        PRIMARY_ENI_DELETE_ON_TERMINATION.pin("DescribeInstances, primary ENI",
                () -> assertEquals(false, primaryNic(running.moto()).attachment().deleteOnTermination()),
                () -> assertEquals(true, primaryNic(running.sim()).attachment().deleteOnTermination()));

        // ---- volumes: AZ, size, gp3, encrypted, tags
        Both<CreateVolumeResponse> ost0 = both(s -> createVolume(s, "vol-ost0", AZ, 100, "ost0"));
        same("CreateVolume ost0", ost0, WireView::createVolume, NO_TRANSIENT_STATES);
        NO_TRANSIENT_STATES.pin("CreateVolume response",
                () -> assertEquals("available", ost0.moto().stateAsString()),
                () -> assertEquals("creating", ost0.sim().stateAsString()));
        same("CreateVolume mdt0", both(s -> createVolume(s, "vol-mdt0", AZ, 20, "mdt0")), WireView::createVolume,
                NO_TRANSIENT_STATES);
        settle();
        volumesWith("after create: volume-id", s -> List.of(filter("volume-id", s.id("vol-ost0"), s.id("vol-mdt0"))),
                "vol-mdt0", "vol-ost0");
        volumesWith("after create: status=available", s -> List.of(filter("status", "available")),
                "vol-mdt0", "vol-ost0");

        // ---- an ENI in the subnet, with tags
        Both<NetworkInterface> mgs = both(s -> {
            NetworkInterface e = s.ec2.createNetworkInterface(r -> r.subnetId(s.id("subnet-a"))
                    .description("lustre-ha mgs")
                    .tagSpecifications(tagSpec(ResourceType.NETWORK_INTERFACE,
                            Map.of("lustre-ha:fs", "scratch", "lustre-ha:role", "mgs"))))
                    .networkInterface();
            s.name(e.networkInterfaceId(), "eni-mgs");
            return e;
        });
        same("CreateNetworkInterface", mgs, (s, e) -> Map.of("createNetworkInterface", WireView.eni(s, e)));
        assertEquals("available", mgs.sim().statusAsString());

        // ---- attach two volumes at /dev/sdf and /dev/sdg, the ENI at device index 1
        Both<AttachVolumeResponse> attachOst0 = both(s -> attachVolume(s, "vol-ost0", "i-oss-a", "/dev/sdf"));
        same("AttachVolume ost0 /dev/sdf", attachOst0, WireView::attachVolume,
                VOLUME_ATTACHMENT_DELETE_ON_TERMINATION);
        assertEquals("attaching", attachOst0.sim().stateAsString());
        VOLUME_ATTACHMENT_DELETE_ON_TERMINATION.pin("AttachVolume response",
                () -> assertNull(attachOst0.moto().deleteOnTermination()),
                () -> assertEquals(false, attachOst0.sim().deleteOnTermination()));
        same("AttachVolume mdt0 /dev/sdg", both(s -> attachVolume(s, "vol-mdt0", "i-oss-a", "/dev/sdg")),
                WireView::attachVolume, VOLUME_ATTACHMENT_DELETE_ON_TERMINATION);
        Both<AttachNetworkInterfaceResponse> attachMgs = both(s -> attachEni(s, "eni-mgs", "i-oss-a", 1, "eni-attach-mgs"));
        same("AttachNetworkInterface index 1", attachMgs, WireView::attachNetworkInterface);

        Both<List<Volume>> attaching = both(s -> volumesById(s, "vol-ost0", "vol-mdt0"));
        Both<NetworkInterface> eniAttaching = both(s -> eni(s, "eni-mgs"));
        NO_TRANSIENT_STATES.pin("right after AttachVolume / AttachNetworkInterface",
                () -> {
                    assertEquals(List.of("attached", "attached"), attachmentStates(attaching.moto()));
                    assertEquals("in-use", eniAttaching.moto().statusAsString());
                    assertEquals("attached", eniAttaching.moto().attachment().statusAsString());
                },
                () -> {
                    assertEquals(List.of("attaching", "attaching"), attachmentStates(attaching.sim()));
                    assertEquals("attaching", eniAttaching.sim().attachment().statusAsString());
                });
        settle();

        // ---- describe with each filter lustre-ha uses
        volumesWith("attachment.instance-id", s -> List.of(filter("attachment.instance-id", s.id("i-oss-a"))),
                "vol-mdt0", "vol-ost0", "vol-root-oss-a");
        volumesWith("attachment.status=attached", s -> List.of(filter("attachment.status", "attached")),
                "vol-mdt0", "vol-ost0", "vol-root-oss-a");
        Both<List<Volume>> attachedVolumes = both(s -> volumesById(s, "vol-ost0", "vol-root-oss-a"));
        VOLUME_ATTACHMENT_DELETE_ON_TERMINATION.pin("DescribeVolumes attachments",
                () -> assertEquals(dotByVolume("vol-ost0", null, "vol-root-oss-a", null),
                        deleteOnTermination(mo, attachedVolumes.moto())),
                () -> assertEquals(dotByVolume("vol-ost0", false, "vol-root-oss-a", true),
                        deleteOnTermination(sim, attachedVolumes.sim())));
        volumesWith("attachment.status=attaching,detaching", s -> List.of(filter("attachment.status", "attaching",
                "detaching")));
        volumesWith("attachment.device=/dev/sdf", s -> List.of(filter("attachment.device", "/dev/sdf")), "vol-ost0");
        volumesWith("availability-zone", s -> List.of(filter("availability-zone", AZ)),
                "vol-mdt0", "vol-ost0", "vol-root-oss-a");
        volumesWith("availability-zone (other AZ)", s -> List.of(filter("availability-zone", OTHER_AZ)));
        volumesWith("status=in-use", s -> List.of(filter("status", "in-use")), "vol-mdt0", "vol-ost0", "vol-root-oss-a");
        volumesWith("status=available", s -> List.of(filter("status", "available")));
        volumesWith("volume-id", s -> List.of(filter("volume-id", s.id("vol-ost0"))), "vol-ost0");
        volumesWith("volume-id unknown: empty, no error", s -> List.of(filter("volume-id", UNKNOWN_VOLUME)));
        volumesWith("tag:lustre-ha:role", s -> List.of(filter("tag:lustre-ha:role", "ost0")), "vol-ost0");
        volumesWith("tag:lustre-ha:fs", s -> List.of(filter("tag:lustre-ha:fs", "scratch")), "vol-mdt0", "vol-ost0");
        volumesWith("tag wildcard", s -> List.of(filter("tag:lustre-ha:role", "ost*")), "vol-ost0");
        volumesWith("values OR-ed, filters AND-ed", s -> List.of(filter("tag:lustre-ha:role", "ost0", "mdt0"),
                filter("attachment.instance-id", s.id("i-oss-a")), filter("attachment.status", "attached")),
                "vol-mdt0", "vol-ost0");
        volumesWith("filters AND-ed, no match", s -> List.of(filter("tag:lustre-ha:role", "ost0"),
                filter("status", "available")));

        enisWith("attachment.instance-id", s -> List.of(filter("attachment.instance-id", s.id("i-oss-a"))),
                "eni-mgs", "eni-primary-oss-a");
        enisWith("availability-zone", s -> List.of(filter("availability-zone", AZ)), "eni-mgs", "eni-primary-oss-a");
        enisWith("status=in-use", s -> List.of(filter("status", "in-use")), "eni-mgs", "eni-primary-oss-a");
        enisWith("status=available", s -> List.of(filter("status", "available")));
        enisWith("network-interface-id", s -> List.of(filter("network-interface-id", s.id("eni-mgs"))), "eni-mgs");
        enisWith("subnet-id", s -> List.of(filter("subnet-id", s.id("subnet-a"))), "eni-mgs", "eni-primary-oss-a");
        enisWith("tag:lustre-ha:role", s -> List.of(filter("tag:lustre-ha:role", "mgs")), "eni-mgs");
        Both<Outcome> byAttachmentStatus = both(s -> outcome(s, x -> x.ec2.describeNetworkInterfaces(
                r -> r.filters(filter("attachment.status", "attached"))).networkInterfaces()));
        ENI_FILTER_ATTACHMENT_STATUS.pin("DescribeNetworkInterfaces attachment.status=attached",
                () -> assertEquals(500, byAttachmentStatus.moto().status(), byAttachmentStatus.moto().toString()),
                () -> assertEquals(Set.of("eni-mgs", "eni-primary-oss-a"), WireView.names(sim,
                        eniIds(enisOf(byAttachmentStatus.sim())))));

        Both<Instance> attached = both(s -> instance(s, "i-oss-a"));
        same("DescribeInstances: volumes and ENI attached", attached, WireView::instance,
                PRIMARY_ENI_DELETE_ON_TERMINATION);
        assertEquals(Set.of("<root device>", "/dev/sdf", "/dev/sdg"), devices(sim, attached.sim()));
        instancesWith("instance-state-name=running + tag:Name", s -> List.of(filter("instance-state-name", "running"),
                filter("tag:Name", "oss-a")), "i-oss-a");
        instancesWith("instance-state-name=stopped", s -> List.of(filter("instance-state-name", "stopped")));

        // ---- CreateTags / DeleteTags on a volume, an ENI and the instance
        both(s -> s.ec2.createTags(r -> r.resources(s.id("vol-ost0"), s.id("eni-mgs"), s.id("i-oss-a"))
                .tags(tag("lustre-ha:epoch", "7"), tag("lustre-ha:holder", "oss-a"))));
        sameTags("after CreateTags");
        assertEquals("7", tags(instance(sim, "i-oss-a").tags()).get("lustre-ha:epoch"));
        both(s -> s.ec2.deleteTags(r -> r.resources(s.id("vol-ost0"), s.id("eni-mgs"), s.id("i-oss-a"))
                .tags(tag("lustre-ha:holder", "someone-else"))));
        sameTags("after DeleteTags with a value that does not match (kept)");
        assertEquals("oss-a", tags(instance(sim, "i-oss-a").tags()).get("lustre-ha:holder"));
        both(s -> s.ec2.deleteTags(r -> r.resources(s.id("vol-ost0"), s.id("eni-mgs"), s.id("i-oss-a"))
                .tags(Tag.builder().key("lustre-ha:epoch").build())));
        sameTags("after DeleteTags of a key without value (removed)");
        assertFalse(tags(instance(sim, "i-oss-a").tags()).containsKey("lustre-ha:epoch"));
        volumesWith("tag set by CreateTags", s -> List.of(filter("tag:lustre-ha:holder", "oss-a")), "vol-ost0");

        // ---- detach one volume from the running instance
        Both<DetachVolumeResponse> detachMdt0 = both(s -> s.ec2.detachVolume(r -> r.volumeId(s.id("vol-mdt0"))
                .instanceId(s.id("i-oss-a")).device("/dev/sdg")));
        same("DetachVolume mdt0", detachMdt0, WireView::detachVolume, VOLUME_ATTACHMENT_DELETE_ON_TERMINATION);
        assertEquals("detaching", detachMdt0.sim().stateAsString());
        Both<List<Volume>> detaching = both(s -> volumesById(s, "vol-mdt0"));
        NO_TRANSIENT_STATES.pin("right after DetachVolume",
                () -> {
                    assertEquals("available", detaching.moto().get(0).stateAsString());
                    assertEquals(List.of(), detaching.moto().get(0).attachments());
                },
                () -> {
                    assertEquals("in-use", detaching.sim().get(0).stateAsString());
                    assertEquals(List.of("detaching"), attachmentStates(detaching.sim()));
                });
        settle();
        volumesWith("after detach: volume-id", s -> List.of(filter("volume-id", s.id("vol-mdt0"))), "vol-mdt0");
        volumesWith("after detach: status=available", s -> List.of(filter("status", "available")), "vol-mdt0");
        volumesWith("after detach: attachment.instance-id", s -> List.of(filter("attachment.instance-id",
                s.id("i-oss-a"))), "vol-ost0", "vol-root-oss-a");
        same("DescribeInstances: after detach", both(s -> instance(s, "i-oss-a")), WireView::instance,
                PRIMARY_ENI_DELETE_ON_TERMINATION);

        // ---- the fence: StopInstances with Force and SkipOsShutdown
        Both<StopInstancesResponse> stop = both(s -> s.ec2.stopInstances(r -> r.instanceIds(s.id("i-oss-a")).force(true)
                .skipOsShutdown(true)));
        same("StopInstances(Force, SkipOsShutdown) response", stop,
                (s, r) -> WireView.stateChanges("stoppingInstances", s, r.stoppingInstances()));
        assertEquals(64, stop.sim().stoppingInstances().get(0).currentState().code());
        assertEquals(16, stop.sim().stoppingInstances().get(0).previousState().code());
        Both<Instance> stopping = both(s -> instance(s, "i-oss-a"));
        NO_TRANSIENT_STATES.pin("right after StopInstances",
                () -> assertEquals("stopped", stopping.moto().state().nameAsString()),
                () -> assertEquals("stopping", stopping.sim().state().nameAsString()));
        settle();
        Both<Instance> stopped = both(s -> instance(s, "i-oss-a"));
        same("DescribeInstances: stopped", stopped, WireView::instance, PRIMARY_ENI_DELETE_ON_TERMINATION);
        assertEquals(80, stopped.sim().state().code());
        instancesWith("instance-state-name=stopped", s -> List.of(filter("instance-state-name", "stopped")), "i-oss-a");

        // ---- move the ENI while the instance is stopped: detach, then attach again (warm attach)
        both(s -> s.ec2.detachNetworkInterface(r -> r.attachmentId(s.id("eni-attach-mgs"))));
        Both<NetworkInterface> eniDetaching = both(s -> eni(s, "eni-mgs"));
        NO_TRANSIENT_STATES.pin("right after DetachNetworkInterface",
                () -> {
                    assertEquals("available", eniDetaching.moto().statusAsString());
                    assertNull(eniDetaching.moto().attachment());
                },
                () -> assertEquals("detaching", eniDetaching.sim().attachment().statusAsString()));
        settle();
        enisWith("after ENI detach", s -> List.of(filter("network-interface-id", s.id("eni-mgs"))), "eni-mgs");
        enisWith("after ENI detach: status=available", s -> List.of(filter("status", "available")), "eni-mgs");
        same("AttachNetworkInterface to the stopped instance",
                both(s -> attachEni(s, "eni-mgs", "i-oss-a", 1, "eni-attach-mgs-2")), WireView::attachNetworkInterface);
        settle();
        enisWith("after warm attach", s -> List.of(filter("attachment.instance-id", s.id("i-oss-a"))),
                "eni-mgs", "eni-primary-oss-a");
        same("DescribeInstances: stopped, ENI attached again", both(s -> instance(s, "i-oss-a")), WireView::instance,
                PRIMARY_ENI_DELETE_ON_TERMINATION);

        // ---- TerminateInstances: volumes and ENIs are released
        Both<TerminateInstancesResponse> terminate = both(s -> s.ec2.terminateInstances(r -> r
                .instanceIds(s.id("i-oss-a")).force(true)));
        same("TerminateInstances response", terminate,
                (s, r) -> WireView.stateChanges("terminatingInstances", s, r.terminatingInstances()));
        assertEquals(32, terminate.sim().terminatingInstances().get(0).currentState().code());
        assertEquals(80, terminate.sim().terminatingInstances().get(0).previousState().code());
        Both<Instance> shuttingDown = both(s -> instance(s, "i-oss-a"));
        NO_TRANSIENT_STATES.pin("right after TerminateInstances",
                () -> assertEquals("terminated", shuttingDown.moto().state().nameAsString()),
                () -> assertEquals("shutting-down", shuttingDown.sim().state().nameAsString()));
        settle();
        Both<Instance> terminated = both(s -> instance(s, "i-oss-a"));
        same("DescribeInstances: terminated", terminated, WireView::instance, RELEASE_ON_TERMINATION,
                TERMINATED_INSTANCE_TAGS);
        assertEquals(48, terminated.sim().state().code());
        assertEquals(List.of(), terminated.sim().blockDeviceMappings());
        volumesWith("after terminate: data volumes", s -> List.of(filter("volume-id", s.id("vol-ost0"),
                s.id("vol-mdt0"))), "vol-mdt0", "vol-ost0");
        volumesWith("after terminate: status=available", s -> List.of(filter("status", "available")),
                "vol-mdt0", "vol-ost0");
        volumesWith("after terminate: root volume deleted", s -> List.of(filter("volume-id",
                s.id("vol-root-oss-a"))));
        volumesWith("after terminate: attachment.instance-id", s -> List.of(filter("attachment.instance-id",
                s.id("i-oss-a"))));
        Both<List<NetworkInterface>> enisAfter = both(s -> s.ec2.describeNetworkInterfaces(r -> r.filters(
                filter("network-interface-id", s.id("eni-mgs"), s.id("eni-primary-oss-a")))).networkInterfaces());
        same("after terminate: the secondary ENI, apart from its release",
                new Both<>(only(enisAfter.sim(), sim.id("eni-mgs")), only(enisAfter.moto(), mo.id("eni-mgs"))),
                WireView::enis, RELEASE_ON_TERMINATION);
        RELEASE_ON_TERMINATION.pin("after TerminateInstances",
                () -> {
                    NetworkInterface e = only(enisAfter.moto(), mo.id("eni-mgs")).get(0);
                    assertEquals("in-use", e.statusAsString());
                    assertEquals(mo.id("i-oss-a"), e.attachment().instanceId());
                    assertEquals(Set.of("eni-mgs", "eni-primary-oss-a"), WireView.names(mo, eniIds(enisAfter.moto())));
                    assertEquals(2, terminated.moto().networkInterfaces().size());
                },
                () -> {
                    NetworkInterface e = only(enisAfter.sim(), sim.id("eni-mgs")).get(0);
                    assertEquals("available", e.statusAsString());
                    assertNull(e.attachment());
                    assertEquals(Set.of("eni-mgs"), WireView.names(sim, eniIds(enisAfter.sim())));
                    assertEquals(List.of(), terminated.sim().networkInterfaces());
                });
        TERMINATED_INSTANCE_TAGS.pin("terminated instance, a minute later",
                () -> assertEquals("oss-a", tags(terminated.moto().tags()).get("Name")),
                () -> assertEquals(List.of(), terminated.sim().tags()));
    }

    // ====================================================================== errors

    @Test
    void errorCodesBothModelAgree() {
        launch("oss-a", Map.of("Name", "oss-a"));
        launch("oss-b", Map.of("Name", "oss-b"));
        settle();
        both(s -> createVolume(s, "vol-ost0", AZ, 100, "ost0"));
        both(s -> createVolume(s, "vol-spare", AZ, 100, "spare"));
        settle();
        both(s -> attachVolume(s, "vol-ost0", "i-oss-a", "/dev/sdf"));
        settle();

        sameError("DescribeVolumes of an unknown id", "InvalidVolume.NotFound",
                s -> s.ec2.describeVolumes(r -> r.volumeIds(UNKNOWN_VOLUME)));
        sameError("AttachVolume of an unknown volume", "InvalidVolume.NotFound",
                s -> s.ec2.attachVolume(r -> r.volumeId(UNKNOWN_VOLUME).instanceId(s.id("i-oss-a")).device("/dev/sdh")));
        sameError("AttachVolume to an unknown instance", "InvalidInstanceID.NotFound",
                s -> s.ec2.attachVolume(r -> r.volumeId(s.id("vol-spare")).instanceId(UNKNOWN_INSTANCE).device("/dev/sdh")));
        sameError("DetachVolume of an unknown volume", "InvalidVolume.NotFound",
                s -> s.ec2.detachVolume(r -> r.volumeId(UNKNOWN_VOLUME).instanceId(s.id("i-oss-a"))));
        sameError("DetachVolume from an instance it is not attached to", "InvalidAttachment.NotFound",
                s -> s.ec2.detachVolume(r -> r.volumeId(s.id("vol-ost0")).instanceId(s.id("i-oss-b"))));
        sameError("DetachVolume naming the wrong device", "InvalidAttachment.NotFound",
                s -> s.ec2.detachVolume(r -> r.volumeId(s.id("vol-ost0")).instanceId(s.id("i-oss-a")).device("/dev/sdz")));
        sameError("DeleteVolume of an attached volume", "VolumeInUse",
                s -> s.ec2.deleteVolume(r -> r.volumeId(s.id("vol-ost0"))));
        sameError("DescribeInstances of an unknown id", "InvalidInstanceID.NotFound",
                s -> s.ec2.describeInstances(r -> r.instanceIds(UNKNOWN_INSTANCE)));
        sameError("StopInstances of an unknown id", "InvalidInstanceID.NotFound",
                s -> s.ec2.stopInstances(r -> r.instanceIds(UNKNOWN_INSTANCE).force(true)));
        sameError("TerminateInstances of an unknown id", "InvalidInstanceID.NotFound",
                s -> s.ec2.terminateInstances(r -> r.instanceIds(UNKNOWN_INSTANCE)));
        sameError("DescribeNetworkInterfaces of an unknown id", "InvalidNetworkInterfaceID.NotFound",
                s -> s.ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(UNKNOWN_ENI)));
        sameError("AttachNetworkInterface of an unknown ENI", "InvalidNetworkInterfaceID.NotFound",
                s -> s.ec2.attachNetworkInterface(r -> r.networkInterfaceId(UNKNOWN_ENI).instanceId(s.id("i-oss-a"))
                        .deviceIndex(1)));
        sameError("DetachNetworkInterface of an unknown attachment", "InvalidAttachmentID.NotFound",
                s -> s.ec2.detachNetworkInterface(r -> r.attachmentId(UNKNOWN_ENI_ATTACHMENT)));
        sameError("DetachNetworkInterface of the primary ENI (the instance's only one)", "OperationNotPermitted",
                s -> s.ec2.detachNetworkInterface(r -> r.attachmentId(s.id("eni-attach-primary-oss-b"))));
        sameError("CreateTags on an unknown volume", "InvalidVolume.NotFound",
                s -> s.ec2.createTags(r -> r.resources(UNKNOWN_VOLUME).tags(tag("k", "v"))));
    }

    @Test
    void checksOnlyTheSimulatorMakesArePinned() {
        launch("oss-a", Map.of("Name", "oss-a"));
        launch("oss-b", Map.of("Name", "oss-b"));
        settle();
        both(s -> createVolume(s, "vol-ost0", AZ, 100, "ost0"));
        both(s -> createVolume(s, "vol-spare", AZ, 100, "spare"));
        both(s -> createVolume(s, "vol-far", OTHER_AZ, 100, "far"));
        both(s -> createEni(s, "eni-mgs"));
        both(s -> createEni(s, "eni-spare"));
        settle();
        both(s -> attachVolume(s, "vol-ost0", "i-oss-a", "/dev/sdf"));
        both(s -> attachEni(s, "eni-mgs", "i-oss-a", 1, "eni-attach-mgs"));
        settle();

        motoAcceptsSimulatorRefuses(DETACH_AVAILABLE_VOLUME_CODE, "DetachVolume of an available volume",
                "InvalidAttachment.NotFound", "IncorrectState",
                s -> s.ec2.detachVolume(r -> r.volumeId(s.id("vol-spare")).instanceId(s.id("i-oss-a"))));

        both(s -> s.ec2.terminateInstances(r -> r.instanceIds(s.id("i-oss-b"))));
        settle();
        motoAcceptsSimulatorRefuses(STOP_TERMINATED_INSTANCE, "StopInstances of a terminated instance", null,
                "IncorrectInstanceState", s -> s.ec2.stopInstances(r -> r.instanceIds(s.id("i-oss-b")).force(true)));

        motoAcceptsSimulatorRefuses(PRIMARY_ENI_DETACH, "DetachNetworkInterface of the primary ENI (a second one attached)",
                null, "OperationNotPermitted",
                s -> s.ec2.detachNetworkInterface(r -> r.attachmentId(s.id("eni-attach-primary-oss-a"))));

        motoAcceptsSimulatorRefuses(CREATE_TAGS_UNKNOWN_RESOURCE, "CreateTags on an unknown instance", null,
                "InvalidInstanceID.NotFound", s -> s.ec2.createTags(r -> r.resources(UNKNOWN_INSTANCE).tags(tag("k", "v"))));
        motoAcceptsSimulatorRefuses(CREATE_TAGS_UNKNOWN_RESOURCE, "CreateTags on an unknown ENI", null,
                "InvalidNetworkInterfaceID.NotFound", s -> s.ec2.createTags(r -> r.resources(UNKNOWN_ENI)
                        .tags(tag("k", "v"))));

        motoAcceptsSimulatorRefuses(NO_AZ_CHECK, "AttachVolume of a us-east-1b volume to a us-east-1a instance", null,
                "InvalidVolume.ZoneMismatch", s -> attachVolume(s, "vol-far", "i-oss-a", "/dev/sdh"));

        // moto overwrites its state on these; nothing is compared after them.
        motoAcceptsSimulatorRefuses(NO_IN_USE_CHECKS, "AttachVolume of an attached volume", null, "VolumeInUse",
                s -> attachVolume(s, "vol-ost0", "i-oss-a", "/dev/sdi"));
        motoAcceptsSimulatorRefuses(NO_IN_USE_CHECKS, "AttachVolume on a device name in use", null,
                "InvalidParameterValue", s -> attachVolume(s, "vol-spare", "i-oss-a", "/dev/sdf"));
        motoAcceptsSimulatorRefuses(NO_IN_USE_CHECKS, "AttachNetworkInterface of an attached ENI", null,
                "InvalidNetworkInterface.InUse", s -> attachEni(s, "eni-mgs", "i-oss-a", 2, "eni-attach-mgs-again"));
        motoAcceptsSimulatorRefuses(NO_IN_USE_CHECKS, "AttachNetworkInterface on a device index in use", null,
                "InvalidParameterValue", s -> attachEni(s, "eni-spare", "i-oss-a", 1, "eni-attach-spare"));
    }

    // ====================================================================== steps on both sides

    private <T> Both<T> both(Function<Ec2Side, T> call) {
        return new Both<>(call.apply(sim), call.apply(mo));
    }

    private void settle() {
        sim.settle();
        mo.settle();
    }

    private <T> void same(String step, Both<T> both, BiFunction<Ec2Side, T, Object> view,
            KnownMotoDifference... masked) {
        WireView.assertSame(step, view.apply(sim, both.sim()), view.apply(mo, both.moto()), masked);
    }

    /** DescribeVolumes with filters: both sides find the same volumes, the expected ones, with the same fields. */
    private void volumesWith(String step, Function<Ec2Side, List<Filter>> filters, String... expected) {
        Both<List<Volume>> found = both(s -> s.ec2.describeVolumes(r -> r.filters(filters.apply(s))).volumes());
        same("DescribeVolumes " + step, found, WireView::volumes, VOLUME_ATTACHMENT_DELETE_ON_TERMINATION);
        assertEquals(Set.of(expected), WireView.names(sim, found.sim().stream().map(Volume::volumeId).toList()),
                "DescribeVolumes " + step + ": what the simulator found");
    }

    private void enisWith(String step, Function<Ec2Side, List<Filter>> filters, String... expected) {
        Both<List<NetworkInterface>> found = both(s -> s.ec2.describeNetworkInterfaces(r -> r.filters(filters.apply(s)))
                .networkInterfaces());
        same("DescribeNetworkInterfaces " + step, found, WireView::enis, PRIMARY_ENI_DELETE_ON_TERMINATION);
        assertEquals(Set.of(expected), WireView.names(sim, eniIds(found.sim())),
                "DescribeNetworkInterfaces " + step + ": what the simulator found");
    }

    private void instancesWith(String step, Function<Ec2Side, List<Filter>> filters, String... expected) {
        Both<List<Instance>> found = both(s -> s.ec2.describeInstances(r -> r.filters(filters.apply(s))).reservations()
                .stream().flatMap(res -> res.instances().stream()).toList());
        Both<Set<String>> names = new Both<>(
                WireView.names(sim, found.sim().stream().map(Instance::instanceId).toList()),
                WireView.names(mo, found.moto().stream().map(Instance::instanceId).toList()));
        same("DescribeInstances " + step, names, (s, n) -> Map.of("instances", n));
        assertEquals(Set.of(expected), names.sim(), "DescribeInstances " + step + ": what the simulator found");
    }

    private void sameTags(String step) {
        same(step + ": volume", both(s -> volumesById(s, "vol-ost0")), WireView::volumes,
                VOLUME_ATTACHMENT_DELETE_ON_TERMINATION);
        same(step + ": ENI", both(s -> List.of(eni(s, "eni-mgs"))), WireView::enis);
        same(step + ": instance", both(s -> instance(s, "i-oss-a")), WireView::instance,
                PRIMARY_ENI_DELETE_ON_TERMINATION);
    }

    /** Both sides refuse the call with the same error code and HTTP status; messages may differ and are shown. */
    private void sameError(String step, String code, Function<Ec2Side, ?> call) {
        Both<Outcome> out = both(s -> outcome(s, call));
        String both = step + "\n  simulator: " + out.sim() + "\n  moto:      " + out.moto();
        System.out.println("[same error] " + both);
        assertAll(step,
                () -> assertEquals(code, out.sim().code(), both),
                () -> assertEquals(code, out.moto().code(), both),
                () -> assertEquals(400, out.sim().status(), both),
                () -> assertEquals(400, out.moto().status(), both));
    }

    /**
     * A known difference where the simulator refuses, as AWS does, with {@code simulatorCode}, and
     * moto accepts the call ({@code motoCode == null}) or refuses it with another code.
     */
    private void motoAcceptsSimulatorRefuses(KnownMotoDifference difference, String step, String motoCode,
            String simulatorCode, Function<Ec2Side, ?> call) {
        Both<Outcome> out = both(s -> outcome(s, call));
        difference.pin(step,
                () -> {
                    if (motoCode == null) {
                        assertNull(out.moto().error(), "moto " + out.moto());
                    } else {
                        assertEquals(motoCode, out.moto().code(), "moto " + out.moto());
                        assertEquals(400, out.moto().status(), "moto " + out.moto());
                    }
                },
                () -> {
                    assertEquals(simulatorCode, out.sim().code(), "simulator " + out.sim());
                    assertEquals(400, out.sim().status(), "simulator " + out.sim());
                });
    }

    private static Outcome outcome(Ec2Side s, Function<Ec2Side, ?> call) {
        try {
            return new Outcome(call.apply(s), null);
        } catch (SdkException e) {
            if (s.ec2 instanceof SimEc2 && !(e instanceof Ec2Exception)) {
                throw e;
            }
            return new Outcome(null, e);
        }
    }

    // ====================================================================== scenario helpers

    /**
     * Launches {@code i-<name>} in subnet-a: on the simulator as its Auto Scaling does, on moto by
     * RunInstances with moto's AMI. Names the root volume and primary ENI after what DescribeInstances shows.
     */
    private void launch(String name, Map<String, String> tags) {
        both(s -> {
            String id;
            if (s == sim) {
                id = simEc2.launch(new SimEc2.LaunchSpec(s.id("subnet-a"), TYPE, AMI, tags));
            } else {
                id = s.ec2.runInstances(r -> r.imageId(AMI).instanceType(TYPE).subnetId(s.id("subnet-a"))
                        .minCount(1).maxCount(1).tagSpecifications(tagSpec(ResourceType.INSTANCE, tags)))
                        .instances().get(0).instanceId();
            }
            s.name(id, "i-" + name);
            Instance i = instance(s, "i-" + name);
            s.rootDevice = i.rootDeviceName();
            for (InstanceBlockDeviceMapping d : i.blockDeviceMappings()) {
                if (d.deviceName().equals(s.rootDevice)) {
                    s.name(d.ebs().volumeId(), "vol-root-" + name);
                }
            }
            InstanceNetworkInterface primary = primaryNic(i);
            s.name(primary.networkInterfaceId(), "eni-primary-" + name);
            s.name(primary.attachment().attachmentId(), "eni-attach-primary-" + name);
            return id;
        });
    }

    private static CreateVolumeResponse createVolume(Ec2Side s, String name, String az, int size, String role) {
        CreateVolumeResponse r = s.ec2.createVolume(b -> b.availabilityZone(az).size(size).volumeType(VolumeType.GP3)
                .encrypted(true).tagSpecifications(tagSpec(ResourceType.VOLUME,
                        Map.of("lustre-ha:fs", "scratch", "lustre-ha:role", role, "Name", "scratch-" + role))));
        s.name(r.volumeId(), name);
        return r;
    }

    private static NetworkInterface createEni(Ec2Side s, String name) {
        NetworkInterface e = s.ec2.createNetworkInterface(r -> r.subnetId(s.id("subnet-a"))
                .tagSpecifications(tagSpec(ResourceType.NETWORK_INTERFACE, Map.of("lustre-ha:role", name))))
                .networkInterface();
        s.name(e.networkInterfaceId(), name);
        return e;
    }

    private static AttachVolumeResponse attachVolume(Ec2Side s, String volume, String instance, String device) {
        return s.ec2.attachVolume(r -> r.volumeId(s.id(volume)).instanceId(s.id(instance)).device(device));
    }

    private static AttachNetworkInterfaceResponse attachEni(Ec2Side s, String eni, String instance, int index,
            String attachmentName) {
        AttachNetworkInterfaceResponse r = s.ec2.attachNetworkInterface(b -> b.networkInterfaceId(s.id(eni))
                .instanceId(s.id(instance)).deviceIndex(index));
        s.name(r.attachmentId(), attachmentName);
        return r;
    }

    private static Instance instance(Ec2Side s, String name) {
        List<Reservation> rs = s.ec2.describeInstances(r -> r.instanceIds(s.id(name))).reservations();
        assertEquals(1, rs.size(), s + ": reservations of " + name);
        return rs.get(0).instances().get(0);
    }

    private static NetworkInterface eni(Ec2Side s, String name) {
        return s.ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(s.id(name))).networkInterfaces().get(0);
    }

    private static List<Volume> volumesById(Ec2Side s, String... names) {
        return s.ec2.describeVolumes(r -> r.volumeIds(Arrays.stream(names).map(s::id).toList())).volumes();
    }

    private static InstanceNetworkInterface primaryNic(Instance i) {
        return i.networkInterfaces().stream().filter(n -> n.attachment() != null && n.attachment().deviceIndex() == 0)
                .findFirst().orElseThrow(() -> new AssertionError("no primary ENI on " + i.instanceId()));
    }

    /** DeleteOnTermination of each volume's attachment, by volume name (null where the field is absent). */
    private static Map<String, Boolean> deleteOnTermination(Ec2Side s, List<Volume> volumes) {
        Map<String, Boolean> m = new TreeMap<>();
        volumes.forEach(v -> v.attachments().forEach(a -> m.put(s.nameOf(v.volumeId()), a.deleteOnTermination())));
        return m;
    }

    private static Map<String, Boolean> dotByVolume(String volume1, Boolean dot1, String volume2, Boolean dot2) {
        Map<String, Boolean> m = new TreeMap<>();
        m.put(volume1, dot1);
        m.put(volume2, dot2);
        return m;
    }

    private static List<String> attachmentStates(List<Volume> volumes) {
        return volumes.stream().flatMap(v -> v.attachments().stream()).map(a -> a.stateAsString()).toList();
    }

    private static List<String> eniIds(List<NetworkInterface> found) {
        return found.stream().map(NetworkInterface::networkInterfaceId).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<NetworkInterface> enisOf(Outcome o) {
        assertNotNull(o.value(), o.toString());
        return (List<NetworkInterface>) o.value();
    }

    private static List<NetworkInterface> only(List<NetworkInterface> enis, String id) {
        List<NetworkInterface> out = enis.stream().filter(e -> e.networkInterfaceId().equals(id)).toList();
        assertTrue(out.size() == 1, "exactly one ENI " + id + " in " + enis);
        return out;
    }

    private static Set<String> devices(Ec2Side s, Instance i) {
        return i.blockDeviceMappings().stream().map(d -> s.device(d.deviceName()))
                .collect(java.util.stream.Collectors.toSet());
    }

    private static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static Map<String, String> tags(List<Tag> tags) {
        Map<String, String> m = new TreeMap<>();
        tags.forEach(t -> m.put(t.key(), t.value()));
        return m;
    }

    private static TagSpecification tagSpec(ResourceType type, Map<String, String> tags) {
        return TagSpecification.builder().resourceType(type)
                .tags(tags.entrySet().stream().map(e -> tag(e.getKey(), e.getValue())).toList()).build();
    }
}
