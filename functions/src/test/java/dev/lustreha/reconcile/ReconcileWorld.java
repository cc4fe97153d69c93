package dev.lustreha.reconcile;

import dev.lustreha.domain.EniView;
import dev.lustreha.domain.InstanceState;
import dev.lustreha.domain.InstanceView;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.domain.VolumeView;
import dev.lustreha.reconcile.ReconcilePlanner.Bounds;
import dev.lustreha.reconcile.ReconcilePlanner.Member;
import dev.lustreha.reconcile.ReconcilePlanner.RunningExecution;
import dev.lustreha.reconcile.ReconcilePlanner.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small file system as the reconciler sees it, built up step by step for one planner test: each
 * role has one ENI and one volume; instances, group members and running executions are added as
 * the test needs them.
 */
final class ReconcileWorld {

    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final String AZ = "us-east-1a";
    static final String OTHER_AZ = "us-east-1b";

    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final List<RoleResources> resources = new ArrayList<>();
    private final Map<String, InstanceView> instances = new HashMap<>();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Map<String, EniView> enis = new LinkedHashMap<>();
    private final Map<String, VolumeView> volumes = new LinkedHashMap<>();
    private final List<RunningExecution> running = new ArrayList<>();
    private Bounds bounds = Bounds.defaults();

    static String group(RoleType type) {
        return "scratch-" + type.prefix();
    }

    static String eniOf(String roleId) {
        return String.format("eni-%017x", number(roleId));
    }

    static String volumeOf(String roleId) {
        return String.format("vol-%017x", number(roleId));
    }

    private static int number(String roleId) {
        RoleId id = RoleId.parse(roleId);
        return 0x1000 * (id.type().ordinal() + 1) + id.index();
    }

    // ---------------------------------------------------------------- roles

    /** A role as stored, with its resources registered and attached nowhere. */
    ReconcileWorld role(String id, RoleState state, String owner, long epoch, String lastExecution) {
        Role r = new Role(RoleKey.of("scratch", id), AZ, Optional.ofNullable(owner), Optional.empty(), epoch, state,
                epoch <= 1, NOW.minusSeconds(86400), NOW.minusSeconds(3600), Optional.empty(),
                Optional.ofNullable(lastExecution), Optional.empty());
        roles.put(id, r);
        resources.add(new RoleResources(r.key(), AZ, new NetworkIdentity(eniOf(id), "10.0.1." + (10 + roles.size())),
                List.of(new Volume(volumeOf(id), "/dev/sdf", "scratch-" + id))));
        enis.put(eniOf(id), new EniView(eniOf(id), AZ, "available", Optional.empty()));
        volumes.put(volumeOf(id), new VolumeView(volumeOf(id), AZ, "available", Optional.empty()));
        return this;
    }

    /** A role stored without registered resources. */
    ReconcileWorld unregistered(String id, RoleState state, String owner, long epoch) {
        roles.put(id, new Role(RoleKey.of("scratch", id), AZ, Optional.ofNullable(owner), Optional.empty(), epoch, state,
                false, NOW, NOW, Optional.empty(), Optional.empty(), Optional.empty()));
        return this;
    }

    /** The healthy picture: SERVING on a running InService owner that holds its ENI and volume. */
    ReconcileWorld serving(String id, String owner) {
        role(id, RoleState.SERVING, owner, 1, "launch-" + owner + "-0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e");
        live(owner, RoleId.parse(id).type());
        return attachEni(id, owner).attachVolume(id, owner);
    }

    ReconcileWorld attachEni(String roleId, String holder) {
        enis.put(eniOf(roleId), new EniView(eniOf(roleId), AZ, "in-use",
                Optional.of(new EniView.Attachment("eni-attach-" + holder.substring(2), holder, 1, "attached"))));
        return this;
    }

    ReconcileWorld attachVolume(String roleId, String holder) {
        volumes.put(volumeOf(roleId), new VolumeView(volumeOf(roleId), AZ, "in-use",
                Optional.of(new VolumeView.Attachment(holder, "/dev/sdf", "attached"))));
        return this;
    }

    ReconcileWorld detachVolume(String roleId) {
        volumes.put(volumeOf(roleId), new VolumeView(volumeOf(roleId), AZ, "available", Optional.empty()));
        return this;
    }

    ReconcileWorld forgetEni(String roleId) {
        enis.remove(eniOf(roleId));
        return this;
    }

    // ---------------------------------------------------------------- instances

    ReconcileWorld instance(String id, InstanceState state) {
        return instance(id, state, AZ, Map.of(), NOW.minusSeconds(3600));
    }

    ReconcileWorld instance(String id, InstanceState state, String az, Map<String, String> tags, Instant launchedAt) {
        instances.put(id, new InstanceView(id, state, az, tags, Optional.ofNullable(launchedAt)));
        return this;
    }

    ReconcileWorld gone(String id) {
        instances.remove(id);
        members.remove(id);
        return this;
    }

    ReconcileWorld member(String id, RoleType type, String lifecycleState, boolean healthy) {
        members.put(id, new Member(id, group(type), type, lifecycleState, healthy));
        return this;
    }

    ReconcileWorld leaveGroup(String id) {
        members.remove(id);
        return this;
    }

    /** A running, InService, healthy member. */
    ReconcileWorld live(String id, RoleType type) {
        return instance(id, InstanceState.RUNNING).member(id, type, ReconcilePlanner.IN_SERVICE, true);
    }

    /** A ready standby: running, InService, healthy, tagged, in the AZ. */
    ReconcileWorld standby(String id, RoleType type) {
        return standby(id, type, AZ);
    }

    ReconcileWorld standby(String id, RoleType type, String az) {
        return instance(id, InstanceState.RUNNING, az, Map.of(Tags.STANDBY, "scratch", Tags.FILE_SYSTEM, "scratch"),
                NOW.minusSeconds(3600)).member(id, type, ReconcilePlanner.IN_SERVICE, true);
    }

    // ---------------------------------------------------------------- executions

    ReconcileWorld running(Workflow workflow, String name, Duration age) {
        running.add(new RunningExecution(workflow, name, NOW.minus(age)));
        return this;
    }

    ReconcileWorld bounds(Bounds b) {
        bounds = b;
        return this;
    }

    Role roleNamed(String id) {
        return roles.get(id);
    }

    ReconcilePlanner.Facts facts() {
        return new ReconcilePlanner.Facts(List.copyOf(roles.values()), resources, instances, List.copyOf(members.values()),
                List.copyOf(enis.values()), List.copyOf(volumes.values()), running, NOW, bounds);
    }

    ReconcilePlanner.Plan plan() {
        return ReconcilePlanner.plan(facts());
    }
}
