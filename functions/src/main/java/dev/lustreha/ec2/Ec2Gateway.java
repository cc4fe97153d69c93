package dev.lustreha.ec2;

import static dev.lustreha.ec2.AwsCalls.call;

import dev.lustreha.domain.EniView;
import dev.lustreha.domain.InstanceState;
import dev.lustreha.domain.InstanceView;
import dev.lustreha.domain.VolumeView;
import dev.lustreha.errors.AwsApiException;
import dev.lustreha.errors.DeviceConflictException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * The EC2 and Auto Scaling calls lustre-ha makes, in domain terms. Reads use filters (a filter never
 * fails for an id that no longer exists, where an id list fails the whole call) and one Describe per
 * resource type per call; writes map the AWS errors a step branches on to answers or to
 * {@code dev.lustreha.errors} exceptions, so SDK exceptions never leave this class.
 */
public final class Ec2Gateway {

    /** DescribeAutoScalingInstances takes at most 50 instance ids per call. */
    private static final int ASG_IDS_PER_CALL = 50;
    /** EC2 takes at most 200 values in one filter. */
    private static final int FILTER_VALUES_PER_CALL = 200;

    private final Ec2Client ec2;
    private final AutoScalingClient autoScaling;

    public Ec2Gateway(Ec2Client ec2, AutoScalingClient autoScaling) {
        this.ec2 = ec2;
        this.autoScaling = autoScaling;
    }

    /** The result of an attach call. */
    public enum AttachOutcome {
        /** The attach started. */
        STARTED,
        /** The resource is attached elsewhere (someone was faster, or a detach is not finished). */
        HELD,
        /** The instance cannot take attachments yet (still pending). */
        NOT_READY
    }

    /** The result of completing a lifecycle action. */
    public enum Completion {
        COMPLETED,
        /** AWS had no active action any more: it completed or timed out before. Counts as done. */
        ALREADY_ENDED
    }

    public Optional<InstanceView> instance(String instanceId) {
        return Optional.ofNullable(instances(List.of(instanceId)).get(instanceId));
    }

    /** The instances EC2 still lists among {@code ids}; one long terminated is absent. */
    public Map<String, InstanceView> instances(Collection<String> ids) {
        Map<String, InstanceView> out = new HashMap<>();
        for (List<String> batch : batches(ids)) {
            call("DescribeInstances", () -> {
                DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                        .filters(Filter.builder().name("instance-id").values(batch).build())
                        .build();
                for (DescribeInstancesResponse page : ec2.describeInstancesPaginator(request)) {
                    for (Reservation r : page.reservations()) {
                        for (Instance i : r.instances()) {
                            out.put(i.instanceId(), view(i));
                        }
                    }
                }
                return null;
            });
        }
        return out;
    }

    /** A volume or ENI attached to an instance, as the instance's own description lists it. */
    public record AttachedDevice(String resourceId, String device, String status) {
    }

    /**
     * An instance with what its description says is attached to it: volumes (device name, status) and
     * ENIs (device index, attachment status). One DescribeInstances call answers what would otherwise
     * take a DescribeVolumes and a DescribeNetworkInterfaces too, for the attachments of this instance.
     */
    public record InstanceDevices(InstanceView instance, List<AttachedDevice> volumes, List<AttachedDevice> enis) {
    }

    /** The instance and its attachments, or empty when EC2 no longer lists it. */
    public Optional<InstanceDevices> instanceDevices(String instanceId) {
        return call("DescribeInstances", () -> {
            DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                    .filters(Filter.builder().name("instance-id").values(instanceId).build())
                    .build();
            for (DescribeInstancesResponse page : ec2.describeInstancesPaginator(request)) {
                for (Reservation r : page.reservations()) {
                    for (Instance i : r.instances()) {
                        if (i.instanceId().equals(instanceId)) {
                            List<AttachedDevice> volumes = i.blockDeviceMappings().stream().filter(b -> b.ebs() != null)
                                    .map(b -> new AttachedDevice(b.ebs().volumeId(), b.deviceName(),
                                            b.ebs().statusAsString()))
                                    .toList();
                            List<AttachedDevice> enis = i.networkInterfaces().stream().filter(n -> n.attachment() != null)
                                    .map(n -> new AttachedDevice(n.networkInterfaceId(),
                                            String.valueOf(n.attachment().deviceIndex()), n.attachment().statusAsString()))
                                    .toList();
                            return Optional.of(new InstanceDevices(view(i), volumes, enis));
                        }
                    }
                }
            }
            return Optional.<InstanceDevices>empty();
        });
    }

    /** The volumes among {@code ids}: one DescribeVolumes call for up to 200 of them. */
    public List<VolumeView> volumes(Collection<String> ids) {
        List<VolumeView> out = new ArrayList<>();
        for (List<String> batch : batches(ids)) {
            call("DescribeVolumes", () -> {
                DescribeVolumesRequest request = DescribeVolumesRequest.builder()
                        .filters(Filter.builder().name("volume-id").values(batch).build())
                        .build();
                for (DescribeVolumesResponse page : ec2.describeVolumesPaginator(request)) {
                    page.volumes().forEach(v -> out.add(view(v)));
                }
                return null;
            });
        }
        return out;
    }

    /** The ENIs among {@code ids}: one DescribeNetworkInterfaces call for up to 200 of them. */
    public List<EniView> enis(Collection<String> ids) {
        List<EniView> out = new ArrayList<>();
        for (List<String> batch : batches(ids)) {
            call("DescribeNetworkInterfaces", () -> {
                DescribeNetworkInterfacesRequest request = DescribeNetworkInterfacesRequest.builder()
                        .filters(Filter.builder().name("network-interface-id").values(batch).build())
                        .build();
                for (DescribeNetworkInterfacesResponse page : ec2.describeNetworkInterfacesPaginator(request)) {
                    page.networkInterfaces().forEach(n -> out.add(view(n)));
                }
                return null;
            });
        }
        return out;
    }

    public Optional<EniView> eni(String eniId) {
        return call("DescribeNetworkInterfaces", () -> ec2.describeNetworkInterfaces(r -> r.filters(
                        Filter.builder().name("network-interface-id").values(eniId).build()))
                .networkInterfaces().stream().map(Ec2Gateway::view).findFirst());
    }

    /**
     * The fastest fence: StopInstances with Force and SkipOsShutdown. Returns false when EC2
     * refuses because the instance is not stoppable now (pending, or already shutting down).
     */
    public boolean forceStop(String instanceId) {
        try {
            call("StopInstances", () -> ec2.stopInstances(r -> r.instanceIds(instanceId).force(true).skipOsShutdown(true)));
            return true;
        } catch (AwsApiException e) {
            if ("IncorrectInstanceState".equals(e.errorCode())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Detaches a volume from {@code instanceId}. Not errors: a volume already off that instance, and
     * a holder that began terminating meanwhile (EC2 refuses the detach, and termination releases
     * the volume): the next poll sees where things stand.
     */
    public void detachVolume(String volumeId, String instanceId, boolean force) {
        try {
            call("DetachVolume", () -> ec2.detachVolume(r -> r.volumeId(volumeId).instanceId(instanceId).force(force)));
        } catch (AwsApiException e) {
            if (!"IncorrectState".equals(e.errorCode()) && !"InvalidAttachment.NotFound".equals(e.errorCode())
                    && !"IncorrectInstanceState".equals(e.errorCode())) {
                throw e;
            }
        }
    }

    /** Detaches an ENI attachment; one that no longer exists is not an error. */
    public void detachEni(String attachmentId, boolean force) {
        try {
            call("DetachNetworkInterface", () -> ec2.detachNetworkInterface(r -> r.attachmentId(attachmentId).force(force)));
        } catch (AwsApiException e) {
            if (!"InvalidAttachmentID.NotFound".equals(e.errorCode())) {
                throw e;
            }
        }
    }

    public AttachOutcome attachVolume(String volumeId, String instanceId, String device) {
        try {
            call("AttachVolume", () -> ec2.attachVolume(r -> r.volumeId(volumeId).instanceId(instanceId).device(device)));
            return AttachOutcome.STARTED;
        } catch (AwsApiException e) {
            return switch (e.errorCode()) {
                case "VolumeInUse" -> AttachOutcome.HELD;
                case "IncorrectState" -> e.getMessage().contains("Instance") ? AttachOutcome.NOT_READY : AttachOutcome.HELD;
                case "InvalidParameterValue" -> throw new DeviceConflictException("cannot attach " + volumeId + " to "
                        + instanceId + " at " + device + ": " + e.getMessage());
                default -> throw e;
            };
        }
    }

    public AttachOutcome attachEni(String eniId, String instanceId, int deviceIndex) {
        try {
            call("AttachNetworkInterface", () -> ec2.attachNetworkInterface(r -> r.networkInterfaceId(eniId)
                    .instanceId(instanceId).deviceIndex(deviceIndex).networkCardIndex(0)));
            return AttachOutcome.STARTED;
        } catch (AwsApiException e) {
            return switch (e.errorCode()) {
                case "InvalidNetworkInterface.InUse" -> AttachOutcome.HELD;
                case "IncorrectState" -> AttachOutcome.NOT_READY;
                case "InvalidParameterValue" -> throw new DeviceConflictException("cannot attach " + eniId + " to "
                        + instanceId + " at device index " + deviceIndex + ": " + e.getMessage());
                default -> throw e;
            };
        }
    }

    /** Sets tags on instances, ENIs or volumes (one CreateTags call). */
    public void tag(Collection<String> resourceIds, Map<String, String> tags) {
        call("CreateTags", () -> ec2.createTags(r -> r.resources(resourceIds).tags(tagList(tags))));
    }

    /** Removes tags (by key, whatever their value). */
    public void untag(Collection<String> resourceIds, Collection<String> keys) {
        List<Tag> list = keys.stream().map(k -> Tag.builder().key(k).build()).toList();
        call("DeleteTags", () -> ec2.deleteTags(r -> r.resources(resourceIds).tags(list)));
    }

    /**
     * The instances among {@code ids} an Auto Scaling group counts as live: Pending* or InService,
     * and not marked unhealthy (an unhealthy instance is on its way out, even while it still runs).
     */
    public Set<String> liveInGroups(Collection<String> ids) {
        Set<String> live = new HashSet<>();
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += ASG_IDS_PER_CALL) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + ASG_IDS_PER_CALL));
            List<AutoScalingInstanceDetails> details = call("DescribeAutoScalingInstances",
                    () -> autoScaling.describeAutoScalingInstances(r -> r.instanceIds(batch)).autoScalingInstances());
            for (AutoScalingInstanceDetails d : details) {
                String s = d.lifecycleState();
                boolean healthy = "HEALTHY".equalsIgnoreCase(d.healthStatus());
                if (healthy && (s.startsWith("Pending") || s.equals("InService"))) {
                    live.add(d.instanceId());
                }
            }
        }
        return live;
    }

    /**
     * One instance of an Auto Scaling group, as DescribeAutoScalingGroups lists it.
     *
     * @param lifecycleState {@code Pending}, {@code Pending:Wait}, {@code InService}, {@code Terminating:Wait}, ...
     * @param healthy the group's health status (an instance marked Unhealthy is on its way out)
     */
    public record GroupMember(String instanceId, String group, String lifecycleState, boolean healthy) {
    }

    /** Every instance of the named groups (DescribeAutoScalingGroups; a group that does not exist lists none). */
    public List<GroupMember> groupMembers(Collection<String> groupNames) {
        List<GroupMember> out = new ArrayList<>();
        if (groupNames.isEmpty()) {
            return out;
        }
        call("DescribeAutoScalingGroups", () -> {
            DescribeAutoScalingGroupsRequest request = DescribeAutoScalingGroupsRequest.builder()
                    .autoScalingGroupNames(groupNames).build();
            for (DescribeAutoScalingGroupsResponse page : autoScaling.describeAutoScalingGroupsPaginator(request)) {
                for (AutoScalingGroup g : page.autoScalingGroups()) {
                    for (software.amazon.awssdk.services.autoscaling.model.Instance i : g.instances()) {
                        // This API spells health "Healthy"/"Unhealthy"; DescribeAutoScalingInstances uses capitals.
                        out.add(new GroupMember(i.instanceId(), g.autoScalingGroupName(), i.lifecycleStateAsString(),
                                "Healthy".equalsIgnoreCase(i.healthStatus())));
                    }
                }
            }
            return null;
        });
        return out;
    }

    /** Completes a lifecycle action; "No active Lifecycle Action" means it already ended, which counts as done. */
    public Completion completeLifecycleAction(String group, String hook, String token, String instanceId, String result) {
        try {
            call("CompleteLifecycleAction", () -> autoScaling.completeLifecycleAction(r -> r
                    .autoScalingGroupName(group).lifecycleHookName(hook).lifecycleActionToken(token)
                    .instanceId(token == null ? instanceId : null).lifecycleActionResult(result)));
            return Completion.COMPLETED;
        } catch (AwsApiException e) {
            if (noActiveAction(e)) {
                return Completion.ALREADY_ENDED;
            }
            throw e;
        }
    }

    /** Restarts a lifecycle action's heartbeat timeout; false when the action already ended. */
    public boolean heartbeat(String group, String hook, String token, String instanceId) {
        try {
            call("RecordLifecycleActionHeartbeat", () -> autoScaling.recordLifecycleActionHeartbeat(r -> r
                    .autoScalingGroupName(group).lifecycleHookName(hook).lifecycleActionToken(token)
                    .instanceId(token == null ? instanceId : null)));
            return true;
        } catch (AwsApiException e) {
            if (noActiveAction(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Asks the instance's group to replace it now; false when no group manages it (or it already terminates). */
    public boolean markUnhealthy(String instanceId) {
        try {
            call("SetInstanceHealth", () -> autoScaling.setInstanceHealth(r -> r.instanceId(instanceId)
                    .healthStatus("Unhealthy").shouldRespectGracePeriod(false)));
            return true;
        } catch (AwsApiException e) {
            if ("ValidationError".equals(e.errorCode())) {
                return false;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- pool provisioning

    /** The AZ of a subnet. */
    public String availabilityZoneOf(String subnetId) {
        return call("DescribeSubnets", () -> ec2.describeSubnets(r -> r.subnetIds(subnetId)).subnets().get(0)
                .availabilityZone());
    }

    /** ENIs carrying all of {@code tags}: how a retried provisioner finds what an earlier attempt made. */
    public List<EniView> enisTagged(Map<String, String> tags) {
        return call("DescribeNetworkInterfaces", () -> ec2.describeNetworkInterfaces(r -> r.filters(tagFilters(tags)))
                .networkInterfaces().stream().map(Ec2Gateway::view).toList());
    }

    /** Volumes carrying all of {@code tags}, with their tags. */
    public Map<VolumeView, Map<String, String>> volumesTagged(Map<String, String> tags) {
        Map<VolumeView, Map<String, String>> out = new LinkedHashMap<>();
        call("DescribeVolumes", () -> {
            ec2.describeVolumes(r -> r.filters(tagFilters(tags))).volumes().forEach(v -> {
                Map<String, String> t = new HashMap<>();
                v.tags().forEach(x -> t.put(x.key(), x.value()));
                out.put(view(v), t);
            });
            return null;
        });
        return out;
    }

    /** Creates an ENI, tagged at creation; the client token makes a retried call return the same ENI. */
    public NetworkIdentityView createEni(String subnetId, List<String> securityGroups, String description,
            String clientToken, Map<String, String> tags) {
        NetworkInterface n = call("CreateNetworkInterface", () -> ec2.createNetworkInterface(r -> r.subnetId(subnetId)
                .groups(securityGroups).description(description).clientToken(clientToken)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.NETWORK_INTERFACE)
                        .tags(tagList(tags)).build())).networkInterface());
        return new NetworkIdentityView(n.networkInterfaceId(), n.privateIpAddress());
    }

    /** An ENI id and its primary private IP. */
    public record NetworkIdentityView(String eniId, String privateIp) {
    }

    /** The private IP of an ENI. */
    public String privateIpOf(String eniId) {
        return call("DescribeNetworkInterfaces", () -> ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(eniId))
                .networkInterfaces().get(0).privateIpAddress());
    }

    /**
     * Creates an encrypted volume (the AWS managed key, aws/ebs), tagged at creation; the client token
     * makes a retry return the same volume.
     */
    public String createVolume(String az, int sizeGiB, String type, Integer iops, Integer throughput, String clientToken,
            Map<String, String> tags) {
        return createVolume(az, sizeGiB, type, iops, throughput, null, clientToken, tags);
    }

    /** As above, with a customer managed key ({@code kmsKeyId}), or the AWS managed key when null. */
    public String createVolume(String az, int sizeGiB, String type, Integer iops, Integer throughput, String kmsKeyId,
            String clientToken, Map<String, String> tags) {
        return call("CreateVolume", () -> ec2.createVolume(r -> r.availabilityZone(az).size(sizeGiB).volumeType(type)
                .iops(iops).throughput(throughput).encrypted(true).kmsKeyId(kmsKeyId).clientToken(clientToken)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.VOLUME)
                        .tags(tagList(tags)).build())).volumeId());
    }

    public void deleteVolume(String volumeId) {
        call("DeleteVolume", () -> ec2.deleteVolume(r -> r.volumeId(volumeId)));
    }

    public void deleteEni(String eniId) {
        call("DeleteNetworkInterface", () -> ec2.deleteNetworkInterface(r -> r.networkInterfaceId(eniId)));
    }

    private static List<List<String>> batches(Collection<String> ids) {
        List<String> all = List.copyOf(new TreeSet<>(ids));
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += FILTER_VALUES_PER_CALL) {
            out.add(all.subList(from, Math.min(all.size(), from + FILTER_VALUES_PER_CALL)));
        }
        return out;
    }

    private static List<Filter> tagFilters(Map<String, String> tags) {
        return tags.entrySet().stream().map(t -> Filter.builder().name("tag:" + t.getKey()).values(t.getValue()).build())
                .toList();
    }

    private static List<Tag> tagList(Map<String, String> tags) {
        return tags.entrySet().stream().map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build()).toList();
    }

    private static boolean noActiveAction(AwsApiException e) {
        return "ValidationError".equals(e.errorCode()) && e.getMessage().contains("No active Lifecycle Action");
    }

    private static InstanceView view(Instance i) {
        Map<String, String> tags = new HashMap<>();
        for (Tag t : i.tags()) {
            tags.put(t.key(), t.value());
        }
        return new InstanceView(i.instanceId(), InstanceState.ofWire(i.state().nameAsString()),
                i.placement() == null ? "" : i.placement().availabilityZone(), tags, Optional.ofNullable(i.launchTime()));
    }

    private static VolumeView view(Volume v) {
        Optional<VolumeView.Attachment> a = v.attachments().stream().findFirst()
                .map(x -> new VolumeView.Attachment(x.instanceId(), x.device(), x.stateAsString()));
        return new VolumeView(v.volumeId(), v.availabilityZone(), v.stateAsString(), a);
    }

    private static EniView view(NetworkInterface n) {
        Optional<EniView.Attachment> a = Optional.ofNullable(n.attachment())
                .map(x -> new EniView.Attachment(x.attachmentId(), x.instanceId(),
                        x.deviceIndex() == null ? -1 : x.deviceIndex(), x.statusAsString()));
        return new EniView(n.networkInterfaceId(), n.availabilityZone(), n.statusAsString(), a);
    }
}
