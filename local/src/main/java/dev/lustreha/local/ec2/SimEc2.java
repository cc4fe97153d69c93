package dev.lustreha.local.ec2;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.local.cloud.EventBus;
import dev.lustreha.local.cloud.Faults;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.SimClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttachNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.AttachNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.AttachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.AttachmentStatus;
import software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DeleteNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.DeleteNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.DetachNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.DetachNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.DetachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DetachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.EbsInstanceBlockDevice;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterface;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceAttachment;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceStatusSummary;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceAttachment;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceStatus;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceType;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.SummaryStatus;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeState;

/**
 * A simulated Amazon EC2 behind the SDK's {@link Ec2Client} interface, for the subset lustre-ha
 * calls, modelled on the AWS documentation rather than on what our code would like: transient
 * states that last until the virtual clock passes them, same-AZ rules, in-use and state errors,
 * device-name and device-index conflicts, release of volumes and ENIs on termination, and
 * {@code busy} detaches of mounted volumes. Any other EC2 operation throws
 * {@link UnsupportedOperationException} (the interface's default), so nothing unmodelled is
 * silently accepted.
 *
 * <p>Besides the EC2 API it has simulation controls (launching instances for the simulated Auto
 * Scaling, guest mounts, hangs, stuck detaches), documented as such.
 */
public final class SimEc2 implements Ec2Client {

    public static final String VPC_ID = "vpc-0a1b2c3d4e5f60718";
    /** Attachment slots of a Nitro instance shared by ENIs and EBS volumes (most types have 28). */
    static final int ATTACHMENT_LIMIT = 28;
    static final Duration TERMINATED_VISIBLE_FOR = Duration.ofHours(1);

    private static final Pattern DEVICE_NAME = Pattern.compile("/dev/(sd[a-z]|xvd[a-z]{1,2})");
    private static final Set<String> VOLUME_FILTERS = Set.of("volume-id", "attachment.instance-id",
            "attachment.status", "attachment.device", "attachment.delete-on-termination", "availability-zone",
            "status", "size", "volume-type", "encrypted");
    private static final Set<String> INSTANCE_FILTERS = Set.of("instance-id", "instance-state-name",
            "availability-zone", "subnet-id", "private-ip-address", "instance-type", "image-id",
            "network-interface.network-interface-id");
    private static final Set<String> ENI_FILTERS = Set.of("network-interface-id", "attachment.instance-id",
            "attachment.attachment-id", "attachment.status", "attachment.device-index", "availability-zone",
            "status", "subnet-id", "private-ip-address", "addresses.private-ip-address", "description");
    private static final Set<String> INSTANCE_STATUS_FILTERS = Set.of("instance-state-name", "availability-zone");
    private static final Set<String> SUBNET_FILTERS = Set.of("subnet-id", "availability-zone", "vpc-id");

    /** A change of an instance's state, for observers such as the simulated Auto Scaling. */
    public record StateChange(String instanceId, InstanceStateName state) {
    }

    /** What the simulated Auto Scaling asks for when it launches an instance. */
    public record LaunchSpec(String subnetId, String instanceType, String imageId, Map<String, String> tags) {
    }

    private final SimClock clock;
    private final History history;
    private final Faults faults;
    private final Latency latency;
    private final EventBus bus;

    private final Map<String, SimSubnet> subnets = new LinkedHashMap<>();
    private final Map<String, SimInstance> instances = new LinkedHashMap<>();
    private final Map<String, SimVolume> volumes = new LinkedHashMap<>();
    private final Map<String, SimNetworkInterface> enis = new LinkedHashMap<>();
    /** Device indexes left unusable on an instance by a forced ENI detach, until it stops. */
    private final Map<String, Set<Integer>> poisonedIndexes = new HashMap<>();
    /** AZs in an outage: launches fail there until the given time. */
    private final Map<String, Instant> outages = new HashMap<>();
    private final List<BiConsumer<SimEc2, StateChange>> observers = new CopyOnWriteArrayList<>();
    /** EC2's API request throttling: always on, as on AWS. */
    private final RequestLimits limits = new RequestLimits();

    private record SimSubnet(String id, String az, String cidrPrefix, int[] nextHost) {
    }

    public SimEc2(SimClock clock, History history, Faults faults, Latency latency, EventBus bus) {
        this.clock = clock;
        this.history = history;
        this.faults = faults;
        this.latency = latency;
        this.bus = bus;
    }

    @Override
    public String serviceName() {
        return "ec2";
    }

    @Override
    public void close() {
        // Nothing to release: the simulation lives as long as its owner keeps it.
    }

    // ---------------------------------------------------------------- simulation controls

    /** Simulation control: a subnet in {@code az} whose addresses start with {@code cidrPrefix} (e.g. "10.0.1."). */
    public String addSubnet(String az, String cidrPrefix) {
        synchronized (clock) {
            String id = newId("subnet-");
            subnets.put(id, new SimSubnet(id, az, cidrPrefix, new int[] {10}));
            return id;
        }
    }

    /** Simulation control: observes every instance state change (called under the cloud's lock). */
    public void onStateChange(BiConsumer<SimEc2, StateChange> observer) {
        observers.add(observer);
    }

    /**
     * Simulation control: launches an instance (as Auto Scaling does through RunInstances): it is
     * {@code pending} with a primary ENI and a root volume, becomes {@code running}, and its OS
     * boots a little later.
     */
    public String launch(LaunchSpec spec) {
        synchronized (clock) {
            SimSubnet subnet = subnets.get(spec.subnetId());
            if (subnet == null) {
                throw Ec2Errors.subnetNotFound(spec.subnetId());
            }
            Instant down = outages.get(subnet.az());
            if (down != null && clock.now().isBefore(down)) {
                throw Ec2Errors.error(500, "InsufficientInstanceCapacity",
                        "We currently do not have sufficient " + spec.instanceType() + " capacity in the "
                                + "Availability Zone you requested (" + subnet.az() + ").");
            }
            SimInstance i = new SimInstance(newId("i-"), newId("r-"), subnet.id(), VPC_ID, subnet.az(),
                    spec.instanceType(), spec.imageId(), clock.now());
            i.tags.putAll(spec.tags());
            instances.put(i.id, i);

            SimNetworkInterface primary = newEni(subnet, "Primary network interface", null);
            primary.attachment = new SimNetworkInterface.Attachment(newId("eni-attach-"), i.id, 0, clock.now(), true);
            primary.attachment.status = AttachmentStatus.ATTACHED;
            primary.status = NetworkInterfaceStatus.IN_USE;
            i.primaryEniId = primary.id;
            i.privateIp = primary.privateIp;

            SimVolume root = new SimVolume(newId("vol-"), subnet.az(), 8, "gp3", 3000, 125, true, clock.now(), null);
            root.state = VolumeState.IN_USE;
            root.attachment = new SimVolume.Attachment(i.id, "/dev/xvda", clock.now(), true);
            root.attachment.state = VolumeAttachmentState.ATTACHED;
            volumes.put(root.id, root);

            history.record("Ec2.Launch", "instance", i.id, "az", i.az, "type", i.instanceType,
                    "group", i.tags.get("aws:autoscaling:groupName"));
            changeState(i, InstanceStateName.PENDING, "launched");
            Duration toRunning = latency.instanceRunning().sample(faults.random());
            i.transition = clock.schedule(toRunning, "run " + i.id, () -> {
                if (i.state == InstanceStateName.PENDING) {
                    changeState(i, InstanceStateName.RUNNING, "booting");
                    Duration toBooted = latency.instanceBoot().sample(faults.random());
                    i.transition = clock.schedule(toBooted, "boot " + i.id, () -> {
                        if (i.state == InstanceStateName.RUNNING) {
                            i.bootedAt = clock.now();
                            history.record("Ec2.Booted", "instance", i.id);
                        }
                    });
                }
            });
            return i.id;
        }
    }

    /** Simulation control: the instance's OS hangs (or recovers): it keeps running, fails status checks, ignores a graceful stop. */
    public void setHung(String instanceId, boolean hung) {
        synchronized (clock) {
            SimInstance i = instance(instanceId);
            i.hung = hung;
            history.record("Sim.Hung", "instance", instanceId, "hung", Boolean.toString(hung));
        }
    }

    /** Simulation control: the instance's OS never completes a graceful shutdown. */
    public void setIgnoresGracefulStop(String instanceId, boolean ignores) {
        synchronized (clock) {
            instance(instanceId).ignoresGracefulStop = ignores;
        }
    }

    /**
     * Simulation control: until {@code until}, detaching the volume without Force leaves it
     * {@code busy} whatever the holder's state, and it stays busy until a forced detach.
     */
    public void stickDetach(String volumeId, Instant until) {
        synchronized (clock) {
            volume(volumeId).stuckUntil = until;
            history.record("Sim.StuckDetach", "volume", volumeId, "until", until.toString());
        }
    }

    /** Simulation control: an AZ outage until {@code until}: its instances stop at once and launches there fail. */
    public void azOutage(String az, Instant until) {
        synchronized (clock) {
            outages.put(az, until);
            history.record("Sim.AzOutage", "az", az, "until", until.toString());
            for (SimInstance i : List.copyOf(instances.values())) {
                if (i.az.equals(az) && (i.state == InstanceStateName.RUNNING || i.state == InstanceStateName.PENDING
                        || i.state == InstanceStateName.STOPPING)) {
                    beginStop(i, true, "Server.InternalError: AZ outage");
                }
            }
        }
    }

    /** Simulation control: the guest OS mounts a volume attached to it (the bootstrap mounting a target). */
    public void guestMount(String instanceId, String volumeId) {
        synchronized (clock) {
            SimInstance i = instance(instanceId);
            SimVolume v = volume(volumeId);
            if (i.state != InstanceStateName.RUNNING || v.attachment == null || !v.attachment.instanceId.equals(instanceId)
                    || v.attachment.state != VolumeAttachmentState.ATTACHED) {
                throw new IllegalStateException("cannot mount " + volumeId + " on " + instanceId
                        + ": not attached to a running instance");
            }
            i.mounted.add(volumeId);
            history.record("Guest.Mount", "instance", instanceId, "volume", volumeId);
        }
    }

    /** Simulation control: the guest OS unmounts a volume; a {@code busy} detach then completes. */
    public void guestUnmount(String instanceId, String volumeId) {
        synchronized (clock) {
            SimInstance i = instance(instanceId);
            if (i.mounted.remove(volumeId)) {
                history.record("Guest.Unmount", "instance", instanceId, "volume", volumeId);
                SimVolume v = volumes.get(volumeId);
                if (v != null && v.attachment != null && v.attachment.state == VolumeAttachmentState.BUSY) {
                    finishDetach(v);
                }
            }
        }
    }

    /** Simulation control: the instance's current state, or empty when EC2 no longer lists it. */
    public Optional<InstanceStateName> stateOf(String instanceId) {
        synchronized (clock) {
            return Optional.ofNullable(instances.get(instanceId)).map(i -> i.state);
        }
    }

    /** Simulation control: true once the instance's OS is up. */
    public boolean isBooted(String instanceId) {
        synchronized (clock) {
            SimInstance i = instances.get(instanceId);
            return i != null && i.state == InstanceStateName.RUNNING && i.bootedAt != null;
        }
    }

    /** Simulation control: true while the instance would fail its EC2 status checks. */
    public boolean isImpaired(String instanceId) {
        synchronized (clock) {
            SimInstance i = instances.get(instanceId);
            return i != null && i.state == InstanceStateName.RUNNING && i.hung;
        }
    }

    /** Simulation control: the instance's tags as they are now. */
    public Map<String, String> tagsOf(String resourceId) {
        synchronized (clock) {
            return Map.copyOf(tagMap(resourceId));
        }
    }

    /** Simulation control: an attachment as it stands (no API call is counted). */
    public record AttachmentView(String instanceId, String device, String state) {
    }

    /** Simulation control: every instance EC2 lists now, in launch order. */
    public List<String> instanceIds() {
        synchronized (clock) {
            return List.copyOf(instances.keySet());
        }
    }

    /** Simulation control: a volume's attachment, if it has one. */
    public Optional<AttachmentView> volumeAttachment(String volumeId) {
        synchronized (clock) {
            SimVolume.Attachment a = volume(volumeId).attachment;
            return Optional.ofNullable(a).map(x -> new AttachmentView(x.instanceId, x.device, x.state.toString()));
        }
    }

    /** Simulation control: an ENI's attachment, if it has one (device is the device index). */
    public Optional<AttachmentView> eniAttachment(String eniId) {
        synchronized (clock) {
            SimNetworkInterface.Attachment a = eni(eniId).attachment;
            return Optional.ofNullable(a)
                    .map(x -> new AttachmentView(x.instanceId, Integer.toString(x.deviceIndex), x.status.toString()));
        }
    }

    /** Simulation control: the volumes the guest OS of an instance has mounted. */
    public Set<String> mountedOn(String instanceId) {
        synchronized (clock) {
            SimInstance i = instances.get(instanceId);
            return i == null ? Set.of() : Set.copyOf(i.mounted);
        }
    }

    /**
     * Simulation control: runs {@code work} with EC2's request limits lifted, taking no token. For
     * what happens before the time a simulation is about (creating the stack's pool): its calls would
     * have been paced long before, and their buckets refilled since.
     */
    public void withoutRequestLimits(Runnable work) {
        synchronized (clock) {
            limits.suspend(true);
            try {
                work.run();
            } finally {
                limits.suspend(false);
            }
        }
    }

    /** Simulation control: the tokens left now in an action's request bucket (the smaller one of an unfiltered Describe). */
    public double requestTokens(String action, boolean unfilteredUnpaginated) {
        synchronized (clock) {
            return limits.tokens(action, unfilteredUnpaginated, clock.now());
        }
    }

    // ---------------------------------------------------------------- instances

    @Override
    public DescribeInstancesResponse describeInstances(DescribeInstancesRequest request) {
        return api(describe("DescribeInstances", request.filters(), request.maxResults()), () -> {
            Filters.check(request.filters(), INSTANCE_FILTERS, true);
            List<SimInstance> selected = select(request.instanceIds(), instances, Ec2Errors::instanceNotFound);
            List<Reservation> reservations = new ArrayList<>();
            for (SimInstance i : selected) {
                if (Filters.matches(request.filters(), INSTANCE_FILTERS, i, this::instanceValues)) {
                    reservations.add(Reservation.builder()
                            .reservationId(i.reservationId)
                            .ownerId(EventBus.ACCOUNT)
                            .instances(toInstance(i))
                            .build());
                }
            }
            Page<Reservation> page = page(reservations, request.maxResults(), request.nextToken(), 5, 1000,
                    !request.instanceIds().isEmpty(), false);
            return DescribeInstancesResponse.builder().reservations(page.items).nextToken(page.nextToken).build();
        });
    }

    @Override
    public DescribeInstanceStatusResponse describeInstanceStatus(DescribeInstanceStatusRequest request) {
        return api(describe("DescribeInstanceStatus", request.filters(), request.maxResults()), () -> {
            Filters.check(request.filters(), INSTANCE_STATUS_FILTERS, false);
            List<SimInstance> selected = select(request.instanceIds(), instances, Ec2Errors::instanceNotFound);
            boolean all = Boolean.TRUE.equals(request.includeAllInstances());
            List<InstanceStatus> statuses = new ArrayList<>();
            for (SimInstance i : selected) {
                if (!all && i.state != InstanceStateName.RUNNING) {
                    continue; // without IncludeAllInstances, only running instances are described
                }
                if (!Filters.matches(request.filters(), INSTANCE_STATUS_FILTERS, false, i, this::instanceValues)) {
                    continue;
                }
                SummaryStatus status;
                if (i.state != InstanceStateName.RUNNING) {
                    status = SummaryStatus.NOT_APPLICABLE;
                } else if (i.hung) {
                    status = SummaryStatus.IMPAIRED;
                } else if (i.bootedAt == null) {
                    status = SummaryStatus.INITIALIZING;
                } else {
                    status = SummaryStatus.OK;
                }
                statuses.add(InstanceStatus.builder()
                        .instanceId(i.id)
                        .availabilityZone(i.az)
                        .instanceState(state(i.state))
                        .instanceStatus(InstanceStatusSummary.builder().status(status).build())
                        .systemStatus(InstanceStatusSummary.builder()
                                .status(i.state == InstanceStateName.RUNNING ? SummaryStatus.OK
                                        : SummaryStatus.NOT_APPLICABLE)
                                .build())
                        .build());
            }
            return DescribeInstanceStatusResponse.builder().instanceStatuses(statuses).build();
        });
    }

    @Override
    public StopInstancesResponse stopInstances(StopInstancesRequest request) {
        return api(new RequestLimits.Cost("StopInstances", false, request.instanceIds().size()), () -> {
            requireIds(request.instanceIds(), "InstanceId");
            List<SimInstance> targets = select(request.instanceIds(), instances, Ec2Errors::instanceNotFound);
            for (SimInstance i : targets) {
                if (i.state == InstanceStateName.PENDING) {
                    throw Ec2Errors.error("IncorrectInstanceState", "Instance '" + i.id
                            + "' cannot be stopped as it has never reached the 'running' state.");
                }
                if (i.state == InstanceStateName.SHUTTING_DOWN || i.state == InstanceStateName.TERMINATED) {
                    throw Ec2Errors.error("IncorrectInstanceState", "This instance '" + i.id
                            + "' is not in a state from which it can be stopped.");
                }
            }
            boolean fast = Boolean.TRUE.equals(request.force()) || Boolean.TRUE.equals(request.skipOsShutdown());
            List<InstanceStateChange> changes = new ArrayList<>();
            for (SimInstance i : targets) {
                InstanceStateName previous = i.state;
                history.record("Ec2.StopInstances", "instance", i.id, "previousState", previous.toString(),
                        "force", Boolean.toString(Boolean.TRUE.equals(request.force())),
                        "skipOsShutdown", Boolean.toString(Boolean.TRUE.equals(request.skipOsShutdown())));
                if (previous == InstanceStateName.RUNNING || (previous == InstanceStateName.STOPPING && fast)) {
                    beginStop(i, fast, fast ? "User initiated (forced)" : "User initiated");
                }
                changes.add(stateChange(i.id, i.state, previous));
            }
            return StopInstancesResponse.builder().stoppingInstances(changes).build();
        });
    }

    @Override
    public TerminateInstancesResponse terminateInstances(TerminateInstancesRequest request) {
        return api(new RequestLimits.Cost("TerminateInstances", false, request.instanceIds().size()), () -> {
            requireIds(request.instanceIds(), "InstanceId");
            List<SimInstance> targets = select(request.instanceIds(), instances, Ec2Errors::instanceNotFound);
            boolean fast = Boolean.TRUE.equals(request.force()) || Boolean.TRUE.equals(request.skipOsShutdown());
            List<InstanceStateChange> changes = new ArrayList<>();
            for (SimInstance i : targets) {
                InstanceStateName previous = i.state;
                history.record("Ec2.TerminateInstances", "instance", i.id, "previousState", previous.toString());
                terminate(i, fast, "User initiated");
                changes.add(stateChange(i.id, i.state, previous));
            }
            return TerminateInstancesResponse.builder().terminatingInstances(changes).build();
        });
    }

    /** Simulation control: terminates an instance as Auto Scaling or EC2 itself would (no API call counted). */
    public void terminateInternal(String instanceId, String reason) {
        synchronized (clock) {
            SimInstance i = instance(instanceId);
            history.record("Sim.Terminate", "instance", instanceId, "reason", reason);
            terminate(i, false, reason);
        }
    }

    private void beginStop(SimInstance i, boolean fast, String reason) {
        if (i.state != InstanceStateName.STOPPING) {
            changeState(i, InstanceStateName.STOPPING, reason);
        }
        cancel(i.transition);
        i.transition = null;
        boolean osCooperates = !i.hung && !i.ignoresGracefulStop;
        if (fast || osCooperates) {
            Duration d = (fast ? latency.forcedStop() : latency.gracefulStop()).sample(faults.random());
            i.transition = clock.schedule(d, "stop " + i.id, () -> {
                if (i.state == InstanceStateName.STOPPING) {
                    osDown(i);
                    changeState(i, InstanceStateName.STOPPED, reason);
                    poisonedIndexes.remove(i.id);
                }
            });
        }
        // else: the OS never finishes its shutdown; the instance stays stopping until a forced stop.
    }

    private void terminate(SimInstance i, boolean fast, String reason) {
        if (i.state == InstanceStateName.TERMINATED || i.state == InstanceStateName.SHUTTING_DOWN) {
            return;
        }
        cancel(i.transition);
        changeState(i, InstanceStateName.SHUTTING_DOWN, reason);
        osDown(i);
        Duration d = (fast ? latency.forcedStop() : latency.shutdown()).sample(faults.random());
        i.transition = clock.schedule(d, "terminate " + i.id, () -> {
            releaseOnTermination(i);
            i.terminatedAt = clock.now();
            changeState(i, InstanceStateName.TERMINATED, reason);
            // AWS: resources such as tags "are gradually disassociated from the terminated instance",
            // so code must not rely on a terminated instance's tags.
            clock.schedule(Duration.ofSeconds(faults.random().nextInt(60)), "untag " + i.id, i.tags::clear);
            clock.schedule(TERMINATED_VISIBLE_FOR, "forget " + i.id, () -> instances.remove(i.id));
        });
    }

    /** The OS is gone: nothing is mounted any more, so busy detaches complete (stuck ones stay busy). */
    private void osDown(SimInstance i) {
        i.mounted.clear();
        i.bootedAt = null;
        for (SimVolume v : volumes.values()) {
            if (v.attachment != null && v.attachment.instanceId.equals(i.id)
                    && v.attachment.state == VolumeAttachmentState.BUSY
                    && (v.stuckUntil == null || !clock.now().isBefore(v.stuckUntil))) {
                finishDetach(v);
            }
        }
    }

    /** On termination: volumes and ENIs kept on termination become available, the others are deleted. */
    private void releaseOnTermination(SimInstance i) {
        for (SimVolume v : List.copyOf(volumes.values())) {
            if (v.attachment != null && v.attachment.instanceId.equals(i.id)) {
                cancel(v.attachment.transition);
                boolean delete = v.attachment.deleteOnTermination;
                v.attachment = null;
                if (delete) {
                    v.state = VolumeState.DELETED;
                    volumes.remove(v.id);
                } else {
                    v.state = VolumeState.AVAILABLE;
                }
                history.record("Ec2.VolumeReleased", "volume", v.id, "instance", i.id, "deleted", Boolean.toString(delete));
            }
        }
        for (SimNetworkInterface e : List.copyOf(enis.values())) {
            if (e.attachment != null && e.attachment.instanceId.equals(i.id)) {
                cancel(e.attachment.transition);
                boolean delete = e.attachment.deleteOnTermination;
                e.attachment = null;
                if (delete) {
                    enis.remove(e.id);
                } else {
                    e.status = NetworkInterfaceStatus.AVAILABLE;
                }
                history.record("Ec2.NetworkInterfaceReleased", "eni", e.id, "instance", i.id,
                        "deleted", Boolean.toString(delete));
            }
        }
    }

    private void changeState(SimInstance i, InstanceStateName state, String reason) {
        i.state = state;
        i.stateReason = reason;
        history.record("Ec2.InstanceState", "instance", i.id, "state", state.toString(), "reason", reason);
        ObjectNode detail = EventBus.newDetail();
        detail.put("instance-id", i.id);
        detail.put("state", state.toString());
        bus.publish(bus.envelope("aws.ec2", "EC2 Instance State-change Notification",
                List.of("arn:aws:ec2:" + EventBus.REGION + ":" + EventBus.ACCOUNT + ":instance/" + i.id), detail));
        StateChange change = new StateChange(i.id, state);
        for (BiConsumer<SimEc2, StateChange> o : observers) {
            o.accept(this, change);
        }
    }

    // ---------------------------------------------------------------- volumes

    @Override
    public CreateVolumeResponse createVolume(CreateVolumeRequest request) {
        return api("CreateVolume", () -> {
            if (request.availabilityZone() == null) {
                throw Ec2Errors.missingParameter("AvailabilityZone");
            }
            if (request.size() == null) {
                throw Ec2Errors.missingParameter("size");
            }
            String type = request.volumeTypeAsString() == null ? "gp2" : request.volumeTypeAsString();
            Integer iops = request.iops() != null ? request.iops() : "gp3".equals(type) ? Integer.valueOf(3000) : null;
            Integer throughput = request.throughput() != null ? request.throughput()
                    : "gp3".equals(type) ? Integer.valueOf(125) : null;
            boolean encrypted = Boolean.TRUE.equals(request.encrypted());
            // CreateVolume: "If KmsKeyId is specified, the encrypted state must be true" (EC2 API
            // Reference). The error code is our reading [?]; the key itself is not checked here.
            if (request.kmsKeyId() != null && !encrypted) {
                throw Ec2Errors.error("InvalidParameterDependency",
                        "The parameter KmsKeyId requires the parameter Encrypted to be set.");
            }
            Map<String, String> tags = tagsFor(request.tagSpecifications(), "volume");
            if (request.clientToken() != null) {
                for (SimVolume v : volumes.values()) {
                    if (request.clientToken().equals(v.clientToken)) {
                        boolean same = v.az.equals(request.availabilityZone()) && v.sizeGiB == request.size()
                                && v.volumeType.equals(type) && v.encrypted == encrypted;
                        if (!same) {
                            throw Ec2Errors.error("IdempotentParameterMismatch", "The client token you have provided "
                                    + "is associated with a resource that is already deleted or has different parameters.");
                        }
                        return createVolumeResponse(v);
                    }
                }
            }
            SimVolume v = new SimVolume(newId("vol-"), request.availabilityZone(), request.size(), type, iops, throughput,
                    encrypted, clock.now(), request.clientToken());
            v.kmsKeyId = request.kmsKeyId();
            v.tags.putAll(tags);
            volumes.put(v.id, v);
            history.record("Ec2.CreateVolume", "volume", v.id, "az", v.az, "size", Integer.toString(v.sizeGiB),
                    "encrypted", Boolean.toString(encrypted));
            clock.schedule(latency.volumeCreate().sample(faults.random()), "create " + v.id, () -> {
                if (v.state == VolumeState.CREATING) {
                    v.state = VolumeState.AVAILABLE;
                }
            });
            return createVolumeResponse(v);
        });
    }

    @Override
    public DescribeVolumesResponse describeVolumes(DescribeVolumesRequest request) {
        return api(describe("DescribeVolumes", request.filters(), request.maxResults()), () -> {
            Filters.check(request.filters(), VOLUME_FILTERS, true);
            List<SimVolume> selected = select(request.volumeIds(), volumes, Ec2Errors::volumeNotFound);
            List<Volume> out = new ArrayList<>();
            for (SimVolume v : selected) {
                if (Filters.matches(request.filters(), VOLUME_FILTERS, v, this::volumeValues)) {
                    out.add(toVolume(v));
                }
            }
            // DescribeVolumes: "if the value is larger than 1,000, only 1,000 results are returned".
            Page<Volume> page = page(out, request.maxResults(), request.nextToken(), 5, 1000,
                    !request.volumeIds().isEmpty(), true);
            return DescribeVolumesResponse.builder().volumes(page.items).nextToken(page.nextToken).build();
        });
    }

    @Override
    public AttachVolumeResponse attachVolume(AttachVolumeRequest request) {
        return api("AttachVolume", () -> {
            require(request.volumeId(), "VolumeId");
            require(request.instanceId(), "InstanceId");
            require(request.device(), "Device");
            SimVolume v = volume(request.volumeId());
            SimInstance i = instance(request.instanceId());
            // AWS attaches to running or stopped instances; pending, stopping and terminating ones refuse.
            if (i.state != InstanceStateName.RUNNING && i.state != InstanceStateName.STOPPED) {
                throw Ec2Errors.error("IncorrectState", "Instance '" + i.id + "' is not 'running'.");
            }
            if (!v.az.equals(i.az)) {
                throw Ec2Errors.error("InvalidVolume.ZoneMismatch", "The volume '" + v.id
                        + "' is not in the same availability zone as instance '" + i.id + "'");
            }
            if (v.state == VolumeState.IN_USE || v.attachment != null) {
                throw Ec2Errors.error("VolumeInUse", v.id + " is already attached to an instance");
            }
            if (v.state != VolumeState.AVAILABLE) {
                throw Ec2Errors.error("IncorrectState", v.id + " is not 'available'.");
            }
            if (!DEVICE_NAME.matcher(request.device()).matches()) {
                throw Ec2Errors.invalidParameter("Value (" + request.device() + ") for parameter device is invalid. "
                        + request.device() + " is not a valid EBS device name.");
            }
            for (SimVolume other : volumes.values()) {
                if (other.attachment != null && other.attachment.instanceId.equals(i.id)
                        && other.attachment.device.equals(request.device())) {
                    throw Ec2Errors.invalidParameter("Invalid value '" + request.device()
                            + "' for unixDevice. Attachment point " + request.device() + " is already in use");
                }
            }
            if (attachmentCount(i.id) >= ATTACHMENT_LIMIT) {
                throw Ec2Errors.error("AttachmentLimitExceeded", "You may attach up to " + (ATTACHMENT_LIMIT - 1)
                        + " devices for this instance type. Please use a larger instance size to attach more volumes.");
            }
            v.attachment = new SimVolume.Attachment(i.id, request.device(), clock.now(), false);
            v.state = VolumeState.IN_USE;
            SimVolume.Attachment a = v.attachment;
            history.record("Ec2.AttachVolume", "volume", v.id, "instance", i.id, "device", request.device(),
                    "instanceState", i.state.toString());
            a.transition = clock.schedule(latency.volumeAttach().sample(faults.random()), "attach " + v.id, () -> {
                if (v.attachment == a && a.state == VolumeAttachmentState.ATTACHING) {
                    a.state = VolumeAttachmentState.ATTACHED;
                    history.record("Ec2.VolumeAttached", "volume", v.id, "instance", i.id, "device", a.device);
                }
            });
            return AttachVolumeResponse.builder()
                    .volumeId(v.id).instanceId(i.id).device(a.device).state(a.state)
                    .attachTime(a.attachTime).deleteOnTermination(false)
                    .build();
        });
    }

    @Override
    public DetachVolumeResponse detachVolume(DetachVolumeRequest request) {
        return api("DetachVolume", () -> {
            require(request.volumeId(), "VolumeId");
            SimVolume v = volume(request.volumeId());
            SimVolume.Attachment a = v.attachment;
            if (a == null) {
                throw Ec2Errors.error("IncorrectState", "Volume '" + v.id + "' is in the '" + v.state + "' state.");
            }
            if ((request.instanceId() != null && !request.instanceId().equals(a.instanceId))
                    || (request.device() != null && !request.device().equals(a.device))) {
                throw Ec2Errors.error("InvalidAttachment.NotFound", "Volume '" + v.id + "' is not attached to instance '"
                        + Objects.requireNonNullElse(request.instanceId(), a.instanceId) + "' at '"
                        + Objects.requireNonNullElse(request.device(), a.device) + "'.");
            }
            SimInstance holder = instances.get(a.instanceId);
            boolean force = Boolean.TRUE.equals(request.force());
            if (holder != null && holder.state == InstanceStateName.SHUTTING_DOWN) {
                throw Ec2Errors.error("IncorrectInstanceState", "Unable to detach volume '" + v.id + "' from instance '"
                        + holder.id + "'. The instance is not in a state in which volumes can be detached.");
            }
            if (a.deleteOnTermination && "/dev/xvda".equals(a.device) && holder != null
                    && holder.state != InstanceStateName.STOPPED) {
                throw Ec2Errors.error("IncorrectState", "Unable to detach root volume '" + v.id + "' from instance '"
                        + a.instanceId + "'");
            }
            String holderState = holder == null ? "unknown" : holder.state.toString();
            boolean mounted = holder != null && holder.mounted.contains(v.id);
            history.record("Ec2.DetachVolume", "volume", v.id, "instance", a.instanceId, "device", a.device,
                    "holderState", holderState, "force", Boolean.toString(force), "mounted", Boolean.toString(mounted),
                    "attachmentState", a.state.toString());
            if (a.state == VolumeAttachmentState.DETACHING) {
                return detachResponse(v, a); // already on its way
            }
            // A stuck detach (an injected fault) stays busy whatever the holder's state, until forced.
            boolean stuck = v.stuckUntil != null && clock.now().isBefore(v.stuckUntil);
            // The guest OS is up while running and while stopping (shutting down, or hung and never
            // getting there): it keeps its mounts until it is down (osDown, when the stop completes).
            // A stuck detach (an injected fault) stays busy whatever the holder's state.
            boolean osUp = holder != null
                    && (holder.state == InstanceStateName.RUNNING || holder.state == InstanceStateName.STOPPING);
            boolean osHoldsIt = osUp && mounted;
            if (!force && (osHoldsIt || stuck || a.state == VolumeAttachmentState.BUSY)) {
                // The guest still uses the device: the detach waits, possibly forever (AWS: "busy").
                cancel(a.transition);
                a.state = VolumeAttachmentState.BUSY;
                history.record("Ec2.VolumeBusy", "volume", v.id, "instance", a.instanceId);
                if (stuck && !mounted) {
                    releaseWhenUnstuck(v, a, holder);
                }
                return detachResponse(v, a);
            }
            if (force && holder != null) {
                holder.mounted.remove(v.id);
            }
            finishDetach(v);
            return detachResponse(v, a);
        });
    }

    /**
     * A detach made busy only by {@link #stickDetach} goes on when the stuck window ends: the guest
     * lets go of the device then, and on AWS a busy detach completes once the OS releases the device.
     */
    private void releaseWhenUnstuck(SimVolume v, SimVolume.Attachment a, SimInstance holder) {
        a.transition = clock.schedule(Duration.between(clock.now(), v.stuckUntil), "unstick " + v.id, () -> {
            if (v.attachment != a || a.state != VolumeAttachmentState.BUSY
                    || (holder != null && holder.mounted.contains(v.id))) {
                return;
            }
            if (v.stuckUntil != null && clock.now().isBefore(v.stuckUntil)) {
                releaseWhenUnstuck(v, a, holder); // the window was extended meanwhile
            } else {
                finishDetach(v);
            }
        });
    }

    /** The attachment goes detaching, then detached; the volume becomes available. */
    private void finishDetach(SimVolume v) {
        SimVolume.Attachment a = v.attachment;
        cancel(a.transition);
        a.state = VolumeAttachmentState.DETACHING;
        a.transition = clock.schedule(latency.volumeDetach().sample(faults.random()), "detach " + v.id, () -> {
            if (v.attachment == a) {
                v.attachment = null;
                v.state = VolumeState.AVAILABLE;
                history.record("Ec2.VolumeDetached", "volume", v.id, "instance", a.instanceId, "device", a.device);
            }
        });
    }

    @Override
    public DeleteVolumeResponse deleteVolume(DeleteVolumeRequest request) {
        return api("DeleteVolume", () -> {
            require(request.volumeId(), "VolumeId");
            SimVolume v = volume(request.volumeId());
            if (v.attachment != null) {
                throw Ec2Errors.error("VolumeInUse", "Volume " + v.id + " is currently attached to " + v.attachment.instanceId);
            }
            if (v.state != VolumeState.AVAILABLE && v.state != VolumeState.ERROR) {
                throw Ec2Errors.error("IncorrectState", "The volume '" + v.id + "' is in the '" + v.state + "' state.");
            }
            v.state = VolumeState.DELETING;
            history.record("Ec2.DeleteVolume", "volume", v.id);
            clock.schedule(Duration.ofSeconds(2), "delete " + v.id, () -> volumes.remove(v.id));
            return DeleteVolumeResponse.builder().build();
        });
    }

    // ---------------------------------------------------------------- network interfaces

    @Override
    public CreateNetworkInterfaceResponse createNetworkInterface(CreateNetworkInterfaceRequest request) {
        return api("CreateNetworkInterface", () -> {
            require(request.subnetId(), "SubnetId");
            SimSubnet subnet = subnets.get(request.subnetId());
            if (subnet == null) {
                throw Ec2Errors.subnetNotFound(request.subnetId());
            }
            if (request.clientToken() != null) {
                for (SimNetworkInterface e : enis.values()) {
                    if (request.clientToken().equals(e.clientToken)) {
                        if (!e.subnetId.equals(request.subnetId())) {
                            throw Ec2Errors.error("IdempotentParameterMismatch", "The client token you have provided "
                                    + "is associated with a resource that is already deleted or has different parameters.");
                        }
                        return CreateNetworkInterfaceResponse.builder().networkInterface(toEni(e))
                                .clientToken(e.clientToken).build();
                    }
                }
            }
            SimNetworkInterface e = newEni(subnet, request.description(), request.clientToken());
            e.tags.putAll(tagsFor(request.tagSpecifications(), "network-interface"));
            history.record("Ec2.CreateNetworkInterface", "eni", e.id, "az", e.az, "ip", e.privateIp);
            return CreateNetworkInterfaceResponse.builder().networkInterface(toEni(e)).clientToken(e.clientToken).build();
        });
    }

    @Override
    public DescribeNetworkInterfacesResponse describeNetworkInterfaces(DescribeNetworkInterfacesRequest request) {
        return api(describe("DescribeNetworkInterfaces", request.filters(), request.maxResults()), () -> {
            Filters.check(request.filters(), ENI_FILTERS, true);
            List<SimNetworkInterface> selected = select(request.networkInterfaceIds(), enis, Ec2Errors::eniNotFound);
            List<NetworkInterface> out = new ArrayList<>();
            for (SimNetworkInterface e : selected) {
                if (Filters.matches(request.filters(), ENI_FILTERS, e, this::eniValues)) {
                    out.add(toEni(e));
                }
            }
            Page<NetworkInterface> page = page(out, request.maxResults(), request.nextToken(), 5, 1000,
                    !request.networkInterfaceIds().isEmpty(), false);
            return DescribeNetworkInterfacesResponse.builder().networkInterfaces(page.items).nextToken(page.nextToken)
                    .build();
        });
    }

    @Override
    public AttachNetworkInterfaceResponse attachNetworkInterface(AttachNetworkInterfaceRequest request) {
        return api("AttachNetworkInterface", () -> {
            require(request.networkInterfaceId(), "NetworkInterfaceId");
            require(request.instanceId(), "InstanceId");
            if (request.deviceIndex() == null) {
                throw Ec2Errors.missingParameter("DeviceIndex");
            }
            SimNetworkInterface e = eni(request.networkInterfaceId());
            SimInstance i = instance(request.instanceId());
            int index = request.deviceIndex();
            // Hot attach (running) and warm attach (stopped); cold attach happens only at launch.
            if (i.state != InstanceStateName.RUNNING && i.state != InstanceStateName.STOPPED) {
                throw Ec2Errors.error("IncorrectState", "Instance '" + i.id + "' is not 'running'.");
            }
            if (e.attachment != null) {
                throw Ec2Errors.error("InvalidNetworkInterface.InUse", "Interface: [" + e.id + "] in use.");
            }
            if (!e.az.equals(i.az)) {
                throw Ec2Errors.error("InvalidParameterCombination", "You may not attach a network interface to an "
                        + "instance if they are not in the same availability zone");
            }
            for (SimNetworkInterface other : enis.values()) {
                if (other.attachment != null && other.attachment.instanceId.equals(i.id)
                        && other.attachment.deviceIndex == index) {
                    throw Ec2Errors.invalidParameter("Instance '" + i.id
                            + "' already has an interface attached at device index '" + index + "'.");
                }
            }
            if (poisonedIndexes.getOrDefault(i.id, Set.of()).contains(index)) {
                throw Ec2Errors.invalidParameter("Instance '" + i.id + "' already has an interface attached at device "
                        + "index '" + index + "'.");
            }
            if (attachmentCount(i.id) >= ATTACHMENT_LIMIT) {
                throw Ec2Errors.error("AttachmentLimitExceeded", "Interface count " + (attachmentCount(i.id) + 1)
                        + " exceeds the limit for " + i.instanceType);
            }
            SimNetworkInterface.Attachment a = new SimNetworkInterface.Attachment(newId("eni-attach-"), i.id, index,
                    clock.now(), false);
            e.attachment = a;
            e.status = NetworkInterfaceStatus.ATTACHING;
            history.record("Ec2.AttachNetworkInterface", "eni", e.id, "instance", i.id,
                    "deviceIndex", Integer.toString(index), "instanceState", i.state.toString());
            a.transition = clock.schedule(latency.eniAttach().sample(faults.random()), "attach " + e.id, () -> {
                if (e.attachment == a && a.status == AttachmentStatus.ATTACHING) {
                    a.status = AttachmentStatus.ATTACHED;
                    e.status = NetworkInterfaceStatus.IN_USE;
                    history.record("Ec2.NetworkInterfaceAttached", "eni", e.id, "instance", i.id);
                }
            });
            return AttachNetworkInterfaceResponse.builder().attachmentId(a.attachmentId).networkCardIndex(0).build();
        });
    }

    @Override
    public DetachNetworkInterfaceResponse detachNetworkInterface(DetachNetworkInterfaceRequest request) {
        return api("DetachNetworkInterface", () -> {
            require(request.attachmentId(), "AttachmentId");
            SimNetworkInterface e = enis.values().stream()
                    .filter(x -> x.attachment != null && x.attachment.attachmentId.equals(request.attachmentId()))
                    .findFirst()
                    .orElseThrow(() -> Ec2Errors.error("InvalidAttachmentID.NotFound",
                            "The attachment ID '" + request.attachmentId() + "' does not exist"));
            SimNetworkInterface.Attachment a = e.attachment;
            if (a.deviceIndex == 0) {
                throw Ec2Errors.error("OperationNotPermitted",
                        "The network interface at device index 0 and networkCard index 0 cannot be detached.");
            }
            SimInstance holder = instances.get(a.instanceId);
            boolean force = Boolean.TRUE.equals(request.force());
            history.record("Ec2.DetachNetworkInterface", "eni", e.id, "instance", a.instanceId,
                    "holderState", holder == null ? "unknown" : holder.state.toString(),
                    "force", Boolean.toString(force), "attachmentState", a.status.toString());
            if (a.status == AttachmentStatus.DETACHING) {
                return DetachNetworkInterfaceResponse.builder().build();
            }
            if (force && holder != null && holder.state == InstanceStateName.RUNNING) {
                // AWS: after a forced detach the index may be unusable on that instance until it stops.
                poisonedIndexes.computeIfAbsent(holder.id, k -> new HashSet<>()).add(a.deviceIndex);
            }
            cancel(a.transition);
            a.status = AttachmentStatus.DETACHING;
            e.status = NetworkInterfaceStatus.DETACHING;
            a.transition = clock.schedule(latency.eniDetach().sample(faults.random()), "detach " + e.id, () -> {
                if (e.attachment == a) {
                    e.attachment = null;
                    e.status = NetworkInterfaceStatus.AVAILABLE;
                    history.record("Ec2.NetworkInterfaceDetached", "eni", e.id, "instance", a.instanceId);
                }
            });
            return DetachNetworkInterfaceResponse.builder().build();
        });
    }

    @Override
    public DeleteNetworkInterfaceResponse deleteNetworkInterface(DeleteNetworkInterfaceRequest request) {
        return api("DeleteNetworkInterface", () -> {
            require(request.networkInterfaceId(), "NetworkInterfaceId");
            SimNetworkInterface e = eni(request.networkInterfaceId());
            if (e.attachment != null) {
                throw Ec2Errors.error("InvalidNetworkInterface.InUse", "The network interface '" + e.id
                        + "' is currently in use.");
            }
            enis.remove(e.id);
            history.record("Ec2.DeleteNetworkInterface", "eni", e.id);
            return DeleteNetworkInterfaceResponse.builder().build();
        });
    }

    // ---------------------------------------------------------------- subnets and tags

    @Override
    public DescribeSubnetsResponse describeSubnets(DescribeSubnetsRequest request) {
        return api("DescribeSubnets", () -> {
            Filters.check(request.filters(), SUBNET_FILTERS, true);
            List<Subnet> out = new ArrayList<>();
            for (SimSubnet s : select(request.subnetIds(), subnets, Ec2Errors::subnetNotFound)) {
                boolean match = Filters.matches(request.filters(), SUBNET_FILTERS, s,
                        (x, name) -> switch (name) {
                            case "subnet-id" -> List.of(x.id());
                            case "availability-zone" -> List.of(x.az());
                            case "vpc-id" -> List.of(VPC_ID);
                            default -> List.of();
                        });
                if (match) {
                    out.add(Subnet.builder().subnetId(s.id()).availabilityZone(s.az()).vpcId(VPC_ID)
                            .cidrBlock(s.cidrPrefix() + "0/24").build());
                }
            }
            return DescribeSubnetsResponse.builder().subnets(out).build();
        });
    }

    @Override
    public CreateTagsResponse createTags(CreateTagsRequest request) {
        return api("CreateTags", () -> {
            requireIds(request.resources(), "ResourceId");
            if (request.tags().isEmpty()) {
                throw Ec2Errors.invalidParameter("You must specify one or more tags to create");
            }
            for (Tag t : request.tags()) {
                checkUserTagKey(t.key());
            }
            List<Map<String, String>> targets = request.resources().stream().map(this::tagMap).toList();
            for (int k = 0; k < targets.size(); k++) {
                for (Tag t : request.tags()) {
                    targets.get(k).put(t.key(), t.value() == null ? "" : t.value());
                }
                history.record("Ec2.CreateTags", "resource", request.resources().get(k), "tags", describe(request.tags()));
            }
            return CreateTagsResponse.builder().build();
        });
    }

    @Override
    public DeleteTagsResponse deleteTags(DeleteTagsRequest request) {
        return api("DeleteTags", () -> {
            requireIds(request.resources(), "ResourceId");
            for (Tag t : request.tags()) {
                checkUserTagKey(t.key()); // aws: tags can be neither edited nor deleted
            }
            for (String id : request.resources()) {
                Map<String, String> tags = tagMap(id);
                if (request.tags().isEmpty()) {
                    // No tags given: every user tag goes, AWS's own (aws:) stay.
                    tags.keySet().removeIf(k -> !k.toLowerCase().startsWith("aws:"));
                }
                for (Tag t : request.tags()) {
                    if (t.value() == null || t.value().equals(tags.get(t.key()))) {
                        tags.remove(t.key());
                    }
                }
                history.record("Ec2.DeleteTags", "resource", id, "tags", describe(request.tags()));
            }
            return DeleteTagsResponse.builder().build();
        });
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs one API call that draws one token from its action's bucket (see {@link #api(RequestLimits.Cost, Supplier)}). */
    private <T> T api(String operation, Supplier<T> body) {
        return api(RequestLimits.Cost.of(operation), body);
    }

    /**
     * Runs one API call under the cloud's lock: counted and logged, failed when an injected throttling
     * window strikes or when EC2's request limits ({@link RequestLimits}) have no token for it.
     */
    private <T> T api(RequestLimits.Cost cost, Supplier<T> body) {
        String op = "Ec2." + cost.action();
        synchronized (clock) {
            String failed = null;
            try {
                if (faults.throttled(clock.now()) || !limits.admit(cost, clock.now())) {
                    throw Ec2Errors.throttled();
                }
                return body.get();
            } catch (Ec2Exception e) {
                failed = e.awsErrorDetails().errorCode();
                throw e;
            } finally {
                history.recordCall(op, failed);
            }
        }
    }

    /** The cost of a Describe call: the smaller bucket when it names neither a filter nor a page size. */
    private static RequestLimits.Cost describe(String action, List<Filter> filters, Integer maxResults) {
        return new RequestLimits.Cost(action, (filters == null || filters.isEmpty()) && maxResults == null, 0);
    }

    private record Page<T>(List<T> items, String nextToken) {
    }

    /**
     * EC2 pagination: MaxResults from min, at most max (a larger value is an error, or is cut down to
     * max where the action documents that), not allowed together with explicit ids; NextToken is an offset.
     */
    private static <T> Page<T> page(List<T> all, Integer maxResults, String nextToken, int min, int max, boolean byIds,
            boolean capsAtMax) {
        if (maxResults == null) {
            return new Page<>(all, null);
        }
        if (byIds) {
            throw Ec2Errors.error("InvalidParameterCombination",
                    "The parameter ids cannot be used with the parameter maxResults");
        }
        if (capsAtMax && maxResults > max) {
            maxResults = max;
        }
        if (maxResults < min || maxResults > max) {
            throw Ec2Errors.invalidParameter("Value ( " + maxResults + " ) for parameter maxResults is invalid. "
                    + "Expecting a value between " + min + " and " + max + ".");
        }
        int from;
        try {
            from = nextToken == null ? 0 : Integer.parseInt(nextToken);
        } catch (NumberFormatException e) {
            throw Ec2Errors.error("InvalidNextToken", "The token '" + nextToken + "' is invalid.");
        }
        int to = Math.min(all.size(), from + maxResults);
        return new Page<>(all.subList(Math.min(from, all.size()), to), to < all.size() ? Integer.toString(to) : null);
    }

    /** The resources named by {@code ids} (every one must exist), or all of them when no id is given. */
    private static <T> List<T> select(List<String> ids, Map<String, T> all,
            java.util.function.Function<String, Ec2Exception> notFound) {
        if (ids == null || ids.isEmpty()) {
            return List.copyOf(all.values());
        }
        List<T> out = new ArrayList<>();
        for (String id : ids) {
            T t = all.get(id);
            if (t == null) {
                throw notFound.apply(id);
            }
            out.add(t);
        }
        return out;
    }

    private SimInstance instance(String id) {
        SimInstance i = instances.get(id);
        if (i == null) {
            throw Ec2Errors.instanceNotFound(id);
        }
        return i;
    }

    private SimVolume volume(String id) {
        SimVolume v = volumes.get(id);
        if (v == null) {
            throw Ec2Errors.volumeNotFound(id);
        }
        return v;
    }

    private SimNetworkInterface eni(String id) {
        SimNetworkInterface e = enis.get(id);
        if (e == null) {
            throw Ec2Errors.eniNotFound(id);
        }
        return e;
    }

    private Map<String, String> tagMap(String resourceId) {
        if (resourceId.startsWith("i-")) {
            return instance(resourceId).tags;
        }
        if (resourceId.startsWith("vol-")) {
            return volume(resourceId).tags;
        }
        if (resourceId.startsWith("eni-")) {
            return eni(resourceId).tags;
        }
        throw Ec2Errors.error("InvalidID", "The ID '" + resourceId + "' is not valid");
    }

    private int attachmentCount(String instanceId) {
        int n = 0;
        for (SimVolume v : volumes.values()) {
            if (v.attachment != null && v.attachment.instanceId.equals(instanceId)) {
                n++;
            }
        }
        for (SimNetworkInterface e : enis.values()) {
            if (e.attachment != null && e.attachment.instanceId.equals(instanceId)) {
                n++;
            }
        }
        return n;
    }

    private SimNetworkInterface newEni(SimSubnet subnet, String description, String clientToken) {
        int host = subnet.nextHost()[0]++;
        String ip = subnet.cidrPrefix() + host;
        String mac = String.format("02:%02x:%02x:%02x:%02x:%02x", faults.random().nextInt(256),
                faults.random().nextInt(256), faults.random().nextInt(256), faults.random().nextInt(256), host & 0xff);
        SimNetworkInterface e = new SimNetworkInterface(newId("eni-"), subnet.id(), VPC_ID, subnet.az(), ip, mac,
                description == null ? "" : description, clientToken);
        enis.put(e.id, e);
        return e;
    }

    private String newId(String prefix) {
        return prefix + String.format("%017x", faults.random().nextLong() & 0xfffffffffffffffL);
    }

    private static void cancel(SimClock.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    private static void require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw Ec2Errors.missingParameter(name);
        }
    }

    private static void requireIds(List<String> ids, String name) {
        if (ids == null || ids.isEmpty()) {
            throw Ec2Errors.missingParameter(name);
        }
    }

    private static Map<String, String> tagsFor(List<TagSpecification> specs, String resourceType) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (TagSpecification spec : specs) {
            if (!resourceType.equals(spec.resourceTypeAsString())) {
                throw Ec2Errors.invalidParameter("'" + spec.resourceTypeAsString()
                        + "' is not a valid taggable resource type for this operation.");
            }
            for (Tag t : spec.tags()) {
                checkUserTagKey(t.key());
                tags.put(t.key(), t.value());
            }
        }
        return tags;
    }

    /** A tag key a caller may set or delete: 1-128 characters, not in the reserved aws: prefix. */
    private static void checkUserTagKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 128) {
            throw Ec2Errors.invalidParameter("Tag key must be 1-128 characters: '" + key + "'");
        }
        if (key.toLowerCase().startsWith("aws:")) {
            throw Ec2Errors.invalidParameter("Tag keys starting with 'aws:' are reserved for internal use");
        }
    }

    private static String describe(List<Tag> tags) {
        StringBuilder b = new StringBuilder();
        tags.stream().sorted(Comparator.comparing(Tag::key)).forEach(t -> {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(t.key()).append('=').append(t.value());
        });
        return b.toString();
    }

    private static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    private static Collection<String> tagValues(Map<String, String> tags, String filter) {
        if (filter.equals("tag-key")) {
            return tags.keySet();
        }
        String v = tags.get(filter.substring("tag:".length()));
        return v == null ? List.of() : List.of(v);
    }

    private Collection<String> instanceValues(SimInstance i, String filter) {
        if (filter.startsWith("tag")) {
            return tagValues(i.tags, filter);
        }
        return switch (filter) {
            case "instance-id" -> List.of(i.id);
            case "instance-state-name" -> List.of(i.state.toString());
            case "availability-zone" -> List.of(i.az);
            case "subnet-id" -> List.of(i.subnetId);
            case "private-ip-address" -> List.of(i.privateIp);
            case "instance-type" -> List.of(i.instanceType);
            case "image-id" -> List.of(i.imageId);
            case "network-interface.network-interface-id" -> enis.values().stream()
                    .filter(e -> e.attachment != null && e.attachment.instanceId.equals(i.id)).map(e -> e.id).toList();
            default -> List.of();
        };
    }

    private Collection<String> volumeValues(SimVolume v, String filter) {
        if (filter.startsWith("tag")) {
            return tagValues(v.tags, filter);
        }
        SimVolume.Attachment a = v.attachment;
        return switch (filter) {
            case "volume-id" -> List.of(v.id);
            case "attachment.instance-id" -> a == null ? List.of() : List.of(a.instanceId);
            case "attachment.status" -> a == null ? List.of() : List.of(a.state.toString());
            case "attachment.device" -> a == null ? List.of() : List.of(a.device);
            case "attachment.delete-on-termination" -> a == null ? List.of() : List.of(Boolean.toString(a.deleteOnTermination));
            case "availability-zone" -> List.of(v.az);
            case "status" -> List.of(v.state.toString());
            case "size" -> List.of(Integer.toString(v.sizeGiB));
            case "volume-type" -> List.of(v.volumeType);
            case "encrypted" -> List.of(Boolean.toString(v.encrypted));
            default -> List.of();
        };
    }

    private Collection<String> eniValues(SimNetworkInterface e, String filter) {
        if (filter.startsWith("tag")) {
            return tagValues(e.tags, filter);
        }
        SimNetworkInterface.Attachment a = e.attachment;
        return switch (filter) {
            case "network-interface-id" -> List.of(e.id);
            case "attachment.instance-id" -> a == null ? List.of() : List.of(a.instanceId);
            case "attachment.attachment-id" -> a == null ? List.of() : List.of(a.attachmentId);
            case "attachment.status" -> a == null ? List.of() : List.of(a.status.toString());
            case "attachment.device-index" -> a == null ? List.of() : List.of(Integer.toString(a.deviceIndex));
            case "availability-zone" -> List.of(e.az);
            case "status" -> List.of(e.status.toString());
            case "subnet-id" -> List.of(e.subnetId);
            case "private-ip-address", "addresses.private-ip-address" -> List.of(e.privateIp);
            case "description" -> List.of(e.description);
            default -> List.of();
        };
    }

    private static InstanceState state(InstanceStateName name) {
        int code = switch (name) {
            case PENDING -> 0;
            case RUNNING -> 16;
            case SHUTTING_DOWN -> 32;
            case TERMINATED -> 48;
            case STOPPING -> 64;
            case STOPPED -> 80;
            default -> throw new IllegalStateException("unmodelled state " + name);
        };
        return InstanceState.builder().name(name).code(code).build();
    }

    private static InstanceStateChange stateChange(String id, InstanceStateName current, InstanceStateName previous) {
        return InstanceStateChange.builder().instanceId(id).currentState(state(current)).previousState(state(previous))
                .build();
    }

    private Instance toInstance(SimInstance i) {
        List<InstanceBlockDeviceMapping> devices = new ArrayList<>();
        for (SimVolume v : volumes.values()) {
            if (v.attachment != null && v.attachment.instanceId.equals(i.id)) {
                devices.add(InstanceBlockDeviceMapping.builder()
                        .deviceName(v.attachment.device)
                        .ebs(EbsInstanceBlockDevice.builder()
                                .volumeId(v.id)
                                .status(blockDeviceStatus(v.attachment.state))
                                .attachTime(v.attachment.attachTime)
                                .deleteOnTermination(v.attachment.deleteOnTermination)
                                .build())
                        .build());
            }
        }
        List<InstanceNetworkInterface> nics = new ArrayList<>();
        for (SimNetworkInterface e : enis.values()) {
            if (e.attachment != null && e.attachment.instanceId.equals(i.id)) {
                nics.add(InstanceNetworkInterface.builder()
                        .networkInterfaceId(e.id)
                        .subnetId(e.subnetId)
                        .vpcId(e.vpcId)
                        .privateIpAddress(e.privateIp)
                        .macAddress(e.macAddress)
                        .status(e.status)
                        .attachment(InstanceNetworkInterfaceAttachment.builder()
                                .attachmentId(e.attachment.attachmentId)
                                .deviceIndex(e.attachment.deviceIndex)
                                .networkCardIndex(0)
                                .status(e.attachment.status)
                                .attachTime(e.attachment.attachTime)
                                .deleteOnTermination(e.attachment.deleteOnTermination)
                                .build())
                        .build());
            }
        }
        nics.sort(Comparator.comparing(n -> n.attachment().deviceIndex()));
        return Instance.builder()
                .instanceId(i.id)
                .imageId(i.imageId)
                .instanceType(i.instanceType)
                .placement(Placement.builder().availabilityZone(i.az).build())
                .subnetId(i.subnetId)
                .vpcId(i.vpcId)
                .privateIpAddress(i.isGone() ? null : i.privateIp)
                .launchTime(i.launchTime)
                .state(state(i.state))
                .stateTransitionReason(i.stateReason)
                .rootDeviceName("/dev/xvda")
                .blockDeviceMappings(devices)
                .networkInterfaces(nics)
                .tags(tags(i.tags))
                .build();
    }

    private static AttachmentStatus blockDeviceStatus(VolumeAttachmentState s) {
        return switch (s) {
            case ATTACHING -> AttachmentStatus.ATTACHING;
            case ATTACHED, BUSY -> AttachmentStatus.ATTACHED;
            case DETACHING -> AttachmentStatus.DETACHING;
            default -> AttachmentStatus.DETACHED;
        };
    }

    private Volume toVolume(SimVolume v) {
        List<VolumeAttachment> attachments = v.attachment == null ? List.of() : List.of(VolumeAttachment.builder()
                .volumeId(v.id)
                .instanceId(v.attachment.instanceId)
                .device(v.attachment.device)
                .state(v.attachment.state)
                .attachTime(v.attachment.attachTime)
                .deleteOnTermination(v.attachment.deleteOnTermination)
                .build());
        return Volume.builder()
                .volumeId(v.id)
                .availabilityZone(v.az)
                .size(v.sizeGiB)
                .volumeType(v.volumeType)
                .iops(v.iops)
                .throughput(v.throughput)
                .encrypted(v.encrypted)
                .kmsKeyId(v.kmsKeyId)
                .createTime(v.createTime)
                .state(v.state)
                .multiAttachEnabled(false)
                .attachments(attachments)
                .tags(tags(v.tags))
                .build();
    }

    private CreateVolumeResponse createVolumeResponse(SimVolume v) {
        return CreateVolumeResponse.builder()
                .volumeId(v.id)
                .availabilityZone(v.az)
                .size(v.sizeGiB)
                .volumeType(v.volumeType)
                .iops(v.iops)
                .throughput(v.throughput)
                .encrypted(v.encrypted)
                .kmsKeyId(v.kmsKeyId)
                .createTime(v.createTime)
                .state(v.state)
                .multiAttachEnabled(false)
                .tags(tags(v.tags))
                .build();
    }

    private static DetachVolumeResponse detachResponse(SimVolume v, SimVolume.Attachment a) {
        return DetachVolumeResponse.builder()
                .volumeId(v.id)
                .instanceId(a.instanceId)
                .device(a.device)
                .state(a.state)
                .attachTime(a.attachTime)
                .deleteOnTermination(a.deleteOnTermination)
                .build();
    }

    private NetworkInterface toEni(SimNetworkInterface e) {
        NetworkInterface.Builder b = NetworkInterface.builder()
                .networkInterfaceId(e.id)
                .subnetId(e.subnetId)
                .vpcId(e.vpcId)
                .availabilityZone(e.az)
                .privateIpAddress(e.privateIp)
                .privateIpAddresses(NetworkInterfacePrivateIpAddress.builder().privateIpAddress(e.privateIp)
                        .primary(true).build())
                .macAddress(e.macAddress)
                .description(e.description)
                .interfaceType(NetworkInterfaceType.INTERFACE)
                .status(e.status)
                .ownerId(EventBus.ACCOUNT)
                .tagSet(tags(e.tags));
        if (e.attachment != null) {
            b.attachment(NetworkInterfaceAttachment.builder()
                    .attachmentId(e.attachment.attachmentId)
                    .instanceId(e.attachment.instanceId)
                    .instanceOwnerId(EventBus.ACCOUNT)
                    .deviceIndex(e.attachment.deviceIndex)
                    .networkCardIndex(0)
                    .status(e.attachment.status)
                    .attachTime(e.attachment.attachTime)
                    .deleteOnTermination(e.attachment.deleteOnTermination)
                    .build());
        }
        return b.build();
    }
}
