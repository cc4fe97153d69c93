package dev.lustreha.local.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.local.cloud.EventBus;
import dev.lustreha.local.cloud.Faults;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.Latency.Range;
import dev.lustreha.local.cloud.SimClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * One simulated EC2 for a test: its clock, faults (fixed seed), history and event bus, two subnets
 * in two AZs, and helpers that act only through the {@link Ec2Client} interface (what production
 * code sees) plus the simulator's documented simulation controls.
 */
final class Ec2Fixture {

    static final Instant T0 = Instant.parse("2026-09-01T00:00:00Z");
    static final long SEED = 20260901L;
    static final String AZ_A = "us-east-1a";
    static final String AZ_B = "us-east-1b";
    static final String INSTANCE_TYPE = "m6i.large";
    static final String IMAGE = "ami-0abcdef1234567890";

    // Fixed transition times: a test can stand one millisecond before and at each transition.
    static final Duration RUNNING = Duration.ofSeconds(15);
    static final Duration BOOT = Duration.ofSeconds(30);
    static final Duration GRACEFUL_STOP = Duration.ofSeconds(40);
    static final Duration FORCED_STOP = Duration.ofSeconds(5);
    static final Duration SHUTDOWN = Duration.ofSeconds(30);
    static final Duration CREATE = Duration.ofSeconds(4);
    static final Duration ATTACH = Duration.ofSeconds(2);
    static final Duration DETACH = Duration.ofSeconds(3);
    static final Duration ENI_ATTACH = Duration.ofMillis(2500);
    static final Duration ENI_DETACH = Duration.ofMillis(3500);
    static final Duration DELIVERY = Duration.ofMillis(500);
    static final Duration ONE_MS = Duration.ofMillis(1);
    /** Longer than any transition of either latency model: everything due has happened. */
    static final Duration SETTLE = Duration.ofMinutes(3);

    final SimClock clock = new SimClock(T0);
    final Faults faults = new Faults(SEED);
    final History history = new History(clock);
    final Latency latency;
    final EventBus bus;
    final SimEc2 sim;
    /** The simulator as production code sees it. */
    final Ec2Client ec2;
    final String subnetA;
    final String subnetB;

    private Ec2Fixture(Latency latency) {
        this.latency = latency;
        this.bus = new EventBus(clock, faults, latency, history);
        this.sim = new SimEc2(clock, history, faults, latency, bus);
        this.ec2 = sim;
        this.subnetA = sim.addSubnet(AZ_A, "10.0.1.");
        this.subnetB = sim.addSubnet(AZ_B, "10.0.2.");
    }

    /** Every transition takes exactly the constants above. */
    static Ec2Fixture fixed() {
        return new Ec2Fixture(new Latency(
                fixed(RUNNING), fixed(BOOT), fixed(GRACEFUL_STOP), fixed(FORCED_STOP), fixed(SHUTDOWN),
                fixed(CREATE), fixed(ATTACH), fixed(DETACH), fixed(ENI_ATTACH), fixed(ENI_DETACH), fixed(DELIVERY),
                new Range(0, 0)));
    }

    /** Transitions take what AWS users measure ({@link Latency#aws()}), sampled with the fixed seed. */
    static Ec2Fixture aws() {
        return new Ec2Fixture(Latency.aws());
    }

    private static Range fixed(Duration d) {
        return new Range(d.toMillis(), d.toMillis());
    }

    void advance(Duration d) {
        clock.advance(d);
    }

    void settle() {
        clock.advance(SETTLE);
    }

    // ------------------------------------------------------------------ instances

    String launch(String subnet) {
        return launch(subnet, Map.of());
    }

    String launch(String subnet, Map<String, String> tags) {
        return sim.launch(new SimEc2.LaunchSpec(subnet, INSTANCE_TYPE, IMAGE, tags));
    }

    /** A launched instance that has reached {@code running}. */
    String running(String subnet) {
        return running(subnet, Map.of());
    }

    String running(String subnet, Map<String, String> tags) {
        String id = launch(subnet, tags);
        settle();
        assertEquals(InstanceStateName.RUNNING, state(id));
        return id;
    }

    /** A running instance stopped through the API (gracefully) and settled in {@code stopped}. */
    String stopped(String subnet) {
        String id = running(subnet);
        ec2.stopInstances(r -> r.instanceIds(id));
        settle();
        assertEquals(InstanceStateName.STOPPED, state(id));
        return id;
    }

    Instance instance(String id) {
        List<Instance> found = ec2.describeInstances(r -> r.instanceIds(id)).reservations().stream()
                .flatMap(res -> res.instances().stream()).toList();
        assertEquals(1, found.size(), "one instance " + id);
        return found.get(0);
    }

    InstanceStateName state(String instanceId) {
        return instance(instanceId).state().name();
    }

    String rootVolumeOf(String instanceId) {
        return instance(instanceId).blockDeviceMappings().stream()
                .filter(m -> m.deviceName().equals("/dev/xvda"))
                .map(m -> m.ebs().volumeId())
                .findFirst().orElseThrow();
    }

    String primaryEniOf(String instanceId) {
        return instance(instanceId).networkInterfaces().stream()
                .filter(n -> n.attachment().deviceIndex() == 0)
                .map(n -> n.networkInterfaceId())
                .findFirst().orElseThrow();
    }

    List<String> blockDevicesOf(String instanceId) {
        return instance(instanceId).blockDeviceMappings().stream().map(InstanceBlockDeviceMapping::deviceName).toList();
    }

    // ------------------------------------------------------------------ volumes

    /** CreateVolume; the volume is {@code creating}. */
    String createVolume(String az, Map<String, String> tags) {
        return ec2.createVolume(r -> r.availabilityZone(az).size(100).volumeType("gp3").encrypted(true)
                .tagSpecifications(volumeTags(tags))).volumeId();
    }

    /** A volume that has become {@code available}. */
    String availableVolume(String az) {
        return availableVolume(az, Map.of());
    }

    String availableVolume(String az, Map<String, String> tags) {
        String id = createVolume(az, tags);
        settle();
        return id;
    }

    /** AttachVolume and wait until the attachment is {@code attached}. */
    void attached(String volumeId, String instanceId, String device) {
        ec2.attachVolume(r -> r.volumeId(volumeId).instanceId(instanceId).device(device));
        settle();
        assertEquals("attached", volume(volumeId).attachments().get(0).stateAsString());
    }

    /** A data volume attached to a running instance and mounted by its guest OS. */
    void mounted(String volumeId, String instanceId, String device) {
        attached(volumeId, instanceId, device);
        sim.guestMount(instanceId, volumeId);
    }

    Volume volume(String id) {
        List<Volume> found = ec2.describeVolumes(r -> r.volumeIds(id)).volumes();
        assertEquals(1, found.size(), "one volume " + id);
        return found.get(0);
    }

    static TagSpecification volumeTags(Map<String, String> tags) {
        return TagSpecification.builder().resourceType("volume").tags(tags(tags)).build();
    }

    // ------------------------------------------------------------------ network interfaces

    String createEni(String subnet) {
        return createEni(subnet, Map.of());
    }

    String createEni(String subnet, Map<String, String> tags) {
        return ec2.createNetworkInterface(r -> r.subnetId(subnet).description("role eni")
                .tagSpecifications(TagSpecification.builder().resourceType("network-interface").tags(tags(tags)).build()))
                .networkInterface().networkInterfaceId();
    }

    /** AttachNetworkInterface and wait until it is attached; returns the attachment id. */
    String attachedEni(String eniId, String instanceId, int deviceIndex) {
        String attachmentId = ec2.attachNetworkInterface(r -> r.networkInterfaceId(eniId).instanceId(instanceId)
                .deviceIndex(deviceIndex)).attachmentId();
        settle();
        assertEquals("attached", eni(eniId).attachment().statusAsString());
        return attachmentId;
    }

    NetworkInterface eni(String id) {
        List<NetworkInterface> found = ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(id)).networkInterfaces();
        assertEquals(1, found.size(), "one ENI " + id);
        return found.get(0);
    }

    // ------------------------------------------------------------------ helpers

    static List<Tag> tags(Map<String, String> tags) {
        List<Tag> out = new ArrayList<>();
        tags.forEach((k, v) -> out.add(Tag.builder().key(k).value(v).build()));
        return out;
    }

    static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    /**
     * Asserts that {@code call} fails as EC2 fails: a plain {@link Ec2Exception} (EC2 models no
     * exception subclasses) carrying the AWS error code, HTTP 400 (503 for throttling), and the
     * SDK's message with the service diagnostics suffix.
     */
    static Ec2Exception assertEc2Error(String code, Executable call) {
        Ec2Exception e = assertThrows(Ec2Exception.class, call);
        assertSame(Ec2Exception.class, e.getClass(), "EC2 has no modelled exception classes");
        assertNotNull(e.awsErrorDetails(), "awsErrorDetails");
        assertEquals(code, e.awsErrorDetails().errorCode(), () -> "error code; message: " + e.getMessage());
        int status = code.equals("RequestLimitExceeded") ? 503 : 400;
        assertEquals(status, e.statusCode(), "HTTP status of " + code);
        assertEquals("Ec2", e.awsErrorDetails().serviceName());
        assertTrue(e.getMessage().contains("(Service: Ec2, Status Code: " + status + ", "), e.getMessage());
        return e;
    }

    /** The error message as AWS sent it (without the SDK's suffix). */
    static String awsMessage(Ec2Exception e) {
        return e.awsErrorDetails().errorMessage();
    }
}
