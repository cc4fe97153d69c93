package dev.lustreha.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.Latency.Range;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.ExecutionStatus;
import dev.lustreha.reconcile.Reconciler;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.TriggerResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.autoscaling.model.LifecycleState;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The reconciler end to end on the local cloud (issue 6): lost events end with every role serving
 * through the reconciler, a ready standby takes a failed role without waiting for a launch, and
 * resources found on a non-owner go back through the workflow, fenced. The reconciler runs every
 * two virtual minutes (the template's default) and is the state-change trigger's failover. Every
 * scenario ends with the invariants checked from the simulated cloud's history.
 */
class ReconcilerScenariosIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofMinutes(20);
    private static final Duration EVERY = Duration.ofMinutes(2);
    private static final String LAUNCH_EVENT = "EC2 Instance-launch Lifecycle Action";
    private static final String TERMINATE_EVENT = "EC2 Instance-terminate Lifecycle Action";
    private static final String STATE_EVENT = "EC2 Instance State-change Notification";
    /** The OSS group's EC2 health check period in the simulated Auto Scaling. */
    private static final Duration HEALTH_CHECK = Duration.ofSeconds(15);

    private static FileSystemSpec spec(int standbys) {
        return new FileSystemSpec(new FileSystemName("scratch"), "us-east-1a", 1, 4, 2, standbys);
    }

    private static LocalCloud.Options options(long seed) {
        return LocalCloud.Options.fast(seed).withReconciler(EVERY);
    }

    private static void settle(LocalCloud cloud) {
        assertTrue(cloud.awaitSettled(SETTLE), () -> "not every role came to serve: " + cloud.roles());
    }

    private static void assertNoViolations(LocalCloud cloud) {
        assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), false));
        assertEquals(List.of(), cloud.reconcileFailures(), "every reconciler run gathered its facts");
    }

    private static long mark(LocalCloud cloud) {
        return cloud.sim().history().entries().size();
    }

    private static List<History.Entry> since(LocalCloud cloud, long seq) {
        return cloud.sim().history().entries().stream().filter(e -> e.seq() >= seq).toList();
    }

    private static boolean servingAtEpoch(LocalCloud cloud, String roleId, long epoch) {
        Role r = cloud.role(roleId);
        return r.state() == RoleState.SERVING && r.epoch() == epoch && cloud.allServing() && cloud.executions().idle();
    }

    private static Set<String> resourceIds(RoleResources r) {
        Set<String> ids = r.volumes().stream().map(Volume::volumeId).collect(Collectors.toSet());
        ids.add(r.network().eniId());
        return ids;
    }

    private static ExecutionResult execution(LocalCloud cloud, String name) {
        return cloud.executions().all().stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no execution " + name)).result().join();
    }

    private static List<String> executionNames(LocalCloud cloud, String prefix) {
        return cloud.executions().all().stream().map(LocalExecutions.Execution::name).filter(n -> n.startsWith(prefix))
                .toList();
    }

    private static List<Reconciler.Outcome> reconciled(LocalCloud cloud) {
        return cloud.reconcileRuns().stream().flatMap(s -> s.actions().stream()).toList();
    }

    /** The ready standby of the OSS group, once the group has one (tagged, InService, no role). */
    private static Optional<String> standby(LocalCloud cloud) {
        Set<String> owners = cloud.roles().stream().map(Role::owner).flatMap(Optional::stream).collect(Collectors.toSet());
        return cloud.sim().autoScaling().instancesOf("scratch-oss").stream()
                .filter(i -> !owners.contains(i) && cloud.sim().ec2().tagsOf(i).containsKey(Tags.STANDBY))
                .filter(i -> cloud.sim().autoScaling().lifecycleStateOf(i).filter(LifecycleState.IN_SERVICE::equals)
                        .isPresent())
                .findFirst();
    }

    // ---------------------------------------------------------------- 1

    @Test
    void r01AReplacementsLostLaunchEventIsStartedByTheReconciler() {
        try (LocalCloud cloud = LocalCloud.start(spec(0), options(201))) {
            settle(cloud);
            String old = cloud.role("oss02").owner().orElseThrow();
            Set<String> known = Set.copyOf(cloud.sim().ec2().instanceIds());
            AtomicReference<String> replacement = new AtomicReference<>();
            // The moment the group launches the replacement, EventBridge starts losing events: its
            // Pending:Wait lifecycle event (one virtual second later) never reaches the trigger.
            cloud.sim().ec2().onStateChange((ec2, change) -> {
                if (change.state() == InstanceStateName.PENDING && !known.contains(change.instanceId())
                        && replacement.compareAndSet(null, change.instanceId())) {
                    Instant now = cloud.sim().clock().now();
                    cloud.sim().faults().dropEvents(now, now.plusSeconds(5));
                }
            });
            long mark = mark(cloud);
            cloud.sim().ec2().terminateInstances(r -> r.instanceIds(old));
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss02", 2), SETTLE), () -> cloud.roles().toString());

            String owner = cloud.role("oss02").owner().orElseThrow();
            assertEquals(replacement.get(), owner, "the replacement took the role");
            assertTrue(since(cloud, mark).stream().anyMatch(e -> e.action().equals("Events.Dropped")
                    && LAUNCH_EVENT.equals(e.get("detailType"))), "its launch lifecycle event was lost");
            String name = cloud.role("oss02").lastExecution().orElseThrow();
            assertTrue(name.startsWith("launch-" + owner + "-r"), "claimed by the reconciler's handover: " + name);
            assertEquals(List.of(name), executionNames(cloud, "launch-" + owner), "the only handover it ever had");
            assertEquals("SERVING", JSON.readTree(execution(cloud, name).output().orElseThrow()).path("outcome").asText());
            assertTrue(since(cloud, mark).stream().anyMatch(e -> e.action().equals("AutoScaling.CompleteLifecycleAction")
                    && owner.equals(e.get("instance")) && "CONTINUE".equals(e.get("result"))),
                    "its lifecycle action was completed by instance id (the reconciler cannot know the token)");
            assertNoViolations(cloud);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- 2

    @Test
    void r02AnOwnersLostStateChangeEventsEndWithEveryRoleServingThroughTheReconciler() {
        try (LocalCloud cloud = LocalCloud.start(spec(0), options(202))) {
            settle(cloud);
            String old = cloud.role("oss03").owner().orElseThrow();
            long mark = mark(cloud);
            // Every event of the next 90 s is lost: the owner's stopping and stopped, and with them the
            // lifecycle events of the group replacing it (its health check sees the stop).
            Instant now = cloud.sim().clock().now();
            cloud.sim().faults().dropEvents(now, now.plusSeconds(90));
            cloud.sim().ec2().stopInstances(r -> r.instanceIds(old));
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss03", 2), SETTLE), () -> cloud.roles().toString());

            List<History.Entry> after = since(cloud, mark);
            for (String lost : List.of(STATE_EVENT, LAUNCH_EVENT, TERMINATE_EVENT)) {
                assertTrue(after.stream().anyMatch(e -> e.action().equals("Events.Dropped") && lost.equals(e.get("detailType"))),
                        lost + " lost");
            }
            assertTrue(cloud.triggerResults().stream().noneMatch(r -> "ORPHANED".equals(r.action())),
                    "the state-change trigger never heard of the stop");
            String owner = cloud.role("oss03").owner().orElseThrow();
            assertNotEquals(old, owner);
            assertTrue(cloud.role("oss03").lastExecution().orElseThrow().startsWith("launch-" + owner + "-r"),
                    "the replacement's handover was the reconciler's");
            List<String> releases = executionNames(cloud, "release-" + old);
            assertEquals(1, releases.size());
            assertTrue(releases.get(0).startsWith("release-" + old + "-r"), "and so was the old owner's release");
            assertEquals(ExecutionStatus.SUCCEEDED, execution(cloud, releases.get(0)).status());
            Set<String> kinds = reconciled(cloud).stream().map(Reconciler.Outcome::action).collect(Collectors.toSet());
            assertTrue(kinds.containsAll(Set.of("StartRelease", "StartHandover")), kinds.toString());
            assertNoViolations(cloud);
        }
    }

    // ---------------------------------------------------------------- 3

    /** aws() midpoints, fixed, so the comparison measures the two paths and not the dice. */
    private static final Latency FIXED = new Latency(Range.seconds(14, 14), Range.seconds(37, 37),
            Range.seconds(40, 40), Range.seconds(5, 5), Range.seconds(25, 25), Range.seconds(5, 5),
            Range.seconds(2.5, 2.5), Range.seconds(2.5, 2.5), Range.seconds(2, 2), Range.seconds(2.5, 2.5),
            Range.seconds(0.6, 0.6), Range.seconds(0.05, 0.05));

    /**
     * From the fault to the role serving again: virtual seconds, wall milliseconds, its new owner,
     * and when (virtual seconds after the fault) the claiming execution claimed, saw the old owner
     * fenced, and recorded the role SERVING.
     */
    private record Failover(double virtualSeconds, long wallMillis, String owner, String formerStandby, String phases) {
    }

    @Test
    void r03AStandbyServesAFailedOssSoonerThanALaunchAndTheGroupRefillsIt() {
        Failover standby = terminateOss02Owner(1, 203);
        Failover launch = terminateOss02Owner(0, 203);
        System.out.printf("r03: oss02 serving again after its owner was terminated: through the standby %.1f s virtual "
                + "(%d ms wall; %s), through a launch %.1f s virtual (%d ms wall; %s)%n", standby.virtualSeconds(),
                standby.wallMillis(), standby.phases(), launch.virtualSeconds(), launch.wallMillis(), launch.phases());
        assertEquals(standby.formerStandby(), standby.owner(), "the standby took the role");
        assertTrue(standby.virtualSeconds() < launch.virtualSeconds(),
                "the standby path is faster: " + standby + " vs " + launch);
    }

    private static Failover terminateOss02Owner(int standbys, long seed) {
        LocalCloud.Options options = options(seed).withLatency(FIXED).withSpeed(25);
        try (LocalCloud cloud = LocalCloud.start(spec(standbys), options)) {
            settle(cloud);
            String spare = null;
            if (standbys > 0) {
                assertTrue(cloud.await(() -> standby(cloud).isPresent() && cloud.executions().idle(), SETTLE));
                spare = standby(cloud).orElseThrow();
            }
            String old = cloud.role("oss02").owner().orElseThrow();
            RoleResources oss02 = cloud.resources("oss02");
            Set<String> before = Set.copyOf(cloud.sim().ec2().instanceIds());
            // The fault comes just after a health check of the group, so that the group's own next
            // check (which would launch a replacement) comes 15 s later, not by chance at once.
            Instant created = cloud.sim().history().entries("AutoScaling.CreateGroup").stream()
                    .filter(e -> "scratch-oss".equals(e.get("group"))).findFirst().orElseThrow().at();
            Instant now = cloud.sim().clock().now();
            long checks = Duration.between(created, now).toMillis() / HEALTH_CHECK.toMillis() + 1;
            Instant faultAt = created.plus(HEALTH_CHECK.multipliedBy(checks)).plusMillis(100);
            AtomicLong wallAtFault = new AtomicLong();
            long mark = mark(cloud);
            cloud.sim().clock().schedule(Duration.between(now, faultAt), "terminate the owner of oss02", () -> {
                wallAtFault.set(System.nanoTime());
                cloud.sim().ec2().terminateInstances(r -> r.instanceIds(old));
            });
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss02", 2), SETTLE), () -> cloud.roles().toString());
            long wall = (System.nanoTime() - wallAtFault.get()) / 1_000_000;
            String owner = cloud.role("oss02").owner().orElseThrow();
            // Serving again = the last of its targets mounted on the new owner.
            Instant mounted = since(cloud, mark).stream().filter(e -> e.action().equals("Guest.Mount")
                            && owner.equals(e.get("instance")) && resourceIds(oss02).contains(e.get("volume")))
                    .map(History.Entry::at).max(Instant::compareTo).orElseThrow();
            double virtual = Duration.between(faultAt, mounted).toMillis() / 1000.0;
            HandoverState.Timings t = timings(execution(cloud, cloud.role("oss02").lastExecution().orElseThrow()));
            String phases = String.format("claimed +%.1f s, old owner fenced +%.1f s, recorded +%.1f s, mounted +%.1f s",
                    seconds(faultAt, t.claimedAt()), seconds(faultAt, t.fencedAt()), seconds(faultAt, t.servingAt()), virtual);

            if (standbys > 0) {
                assertEquals(spare, owner, "the former standby serves oss02");
                String name = cloud.role("oss02").lastExecution().orElseThrow();
                assertTrue(name.startsWith("standby-" + spare + "-oss02-e1-r"), name);
                assertTrue(cloud.triggerResults().stream().anyMatch(r -> "ORPHANED".equals(r.action())
                        && r.reason().contains("FailOverToStandby oss02")), "failed over by the state-change trigger");
                assertFalse(cloud.sim().ec2().tagsOf(owner).containsKey(Tags.STANDBY), "no longer tagged a standby");
                // The group replaces the terminated instance; the replacement finds nothing to claim and is the new standby.
                assertTrue(cloud.await(() -> standby(cloud).filter(s -> !before.contains(s)).isPresent()
                        && cloud.executions().idle(), SETTLE), "the group refilled the standby");
                String refill = standby(cloud).orElseThrow();
                ExecutionResult r = cloud.executions().all().stream().filter(e -> e.name().startsWith("launch-" + refill))
                        .findFirst().orElseThrow().result().join();
                assertEquals("STANDBY", outcome(r));
            } else {
                assertFalse(before.contains(owner), "a launched replacement serves oss02");
            }
            assertNoViolations(cloud);
            return new Failover(virtual, wall, owner, spare, phases);
        }
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    private static HandoverState.Timings timings(ExecutionResult r) {
        try {
            return Json.MAPPER.readValue(r.output().orElseThrow(), HandoverState.class).timings();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String outcome(ExecutionResult r) {
        try {
            return JSON.readTree(r.output().orElseThrow()).path("outcome").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- 4

    @Test
    void r04ResourcesOnANonOwnerGoBackThroughTheWorkflowFencedFirst() {
        try (LocalCloud cloud = LocalCloud.start(spec(1), options(204))) {
            settle(cloud);
            assertTrue(cloud.await(() -> standby(cloud).isPresent() && cloud.executions().idle(), SETTLE));
            String spare = standby(cloud).orElseThrow();
            Role before = cloud.role("oss01");
            String holder = before.owner().orElseThrow();
            // The table says oss01 is the spare's while its ENI and volumes stay on the old owner, which
            // runs on: desired and actual state disagree, as after a partial failure.
            Role claimed = cloud.store().claim(before, spare, "by-hand");
            cloud.store().transition(claimed.key(), spare, claimed.epoch(), RoleState.SERVING);
            long mark = mark(cloud);
            assertTrue(cloud.await(() -> spare.equals(cloud.role("oss01").owner().orElseThrow())
                    && servingAtEpoch(cloud, "oss01", claimed.epoch()), SETTLE), () -> cloud.roles().toString());

            List<String> repairs = executionNames(cloud, "repair-" + spare + "-oss01-e" + claimed.epoch() + "-r");
            assertEquals(1, repairs.size(), "one repair: " + cloud.executions().all());
            assertEquals("SERVING", outcome(execution(cloud, repairs.get(0))));
            assertEquals(claimed.epoch(), cloud.role("oss01").epoch(), "the spare's claim was resumed, not taken anew");
            List<History.Entry> after = since(cloud, mark);
            History.Entry fence = after.stream().filter(e -> e.action().equals("Ec2.StopInstances")
                    && holder.equals(e.get("instance"))).findFirst().orElseThrow(() -> new AssertionError("no fence"));
            assertEquals("true", fence.get("force"));
            long stoppedAt = after.stream().filter(e -> e.action().equals("Ec2.InstanceState")
                    && holder.equals(e.get("instance")) && "stopped".equals(e.get("state"))).findFirst().orElseThrow().seq();
            Set<String> moved = resourceIds(cloud.resources("oss01"));
            // The fenced holder comes off by a detach, or, when its group terminates it first (it is
            // stopped, so unhealthy), by its termination: either way only once it is fenced.
            for (History.Entry d : after.stream().filter(e -> e.action().startsWith("Ec2.Detach")
                    && moved.contains(e.get("volume") != null ? e.get("volume") : e.get("eni"))).toList()) {
                assertEquals(holder, d.get("instance"));
                assertTrue(Set.of("stopped", "terminated").contains(d.get("holderState")), "never from a running holder");
            }
            List<History.Entry> attaches = after.stream().filter(e -> e.action().startsWith("Ec2.Attach")
                    && moved.contains(e.get("volume") != null ? e.get("volume") : e.get("eni"))).toList();
            assertEquals(moved.size(), attaches.size(), "each of oss01's resources attached to the spare once");
            for (History.Entry a : attaches) {
                assertEquals(spare, a.get("instance"));
                assertTrue(a.seq() > stoppedAt, "only after the holder was confirmed stopped");
            }
            assertFalse(cloud.sim().ec2().tagsOf(spare).containsKey(Tags.STANDBY));
            assertNoViolations(cloud);
        }
    }

    // ---------------------------------------------------------------- 5

    @Test
    void r05ALostLaunchEventDeliveredLateAfterTheReconcilerActedStillGivesTheInstanceOneRole() throws Exception {
        try (LocalCloud cloud = LocalCloud.start(spec(0), options(205))) {
            settle(cloud);
            String old = cloud.role("oss04").owner().orElseThrow();
            Set<String> known = Set.copyOf(cloud.sim().ec2().instanceIds());
            AtomicReference<String> replacement = new AtomicReference<>();
            cloud.sim().ec2().onStateChange((ec2, change) -> {
                if (change.state() == InstanceStateName.PENDING && !known.contains(change.instanceId())
                        && replacement.compareAndSet(null, change.instanceId())) {
                    Instant now = cloud.sim().clock().now();
                    cloud.sim().faults().dropEvents(now, now.plusSeconds(5));
                }
            });
            cloud.sim().ec2().terminateInstances(r -> r.instanceIds(old));
            assertTrue(cloud.await(() -> replacement.get() != null
                    && !executionNames(cloud, "launch-" + replacement.get() + "-r").isEmpty(), SETTLE));
            // EventBridge retries: the lost event arrives after all, while the reconciler's handover runs.
            JsonNode lost = cloud.sim().bus().published().stream()
                    .filter(e -> LAUNCH_EVENT.equals(e.path("detail-type").asText())
                            && replacement.get().equals(e.path("detail").path("EC2InstanceId").asText()))
                    .findFirst().orElseThrow();
            cloud.sim().bus().publish((ObjectNode) lost.deepCopy());
            assertTrue(cloud.await(() -> executionNames(cloud, "launch-" + replacement.get()).size() == 2
                    && servingAtEpoch(cloud, "oss04", 2), SETTLE), () -> cloud.roles().toString());

            String owner = replacement.get();
            assertEquals(List.of("oss04"), cloud.roles().stream().filter(r -> r.isOwnedBy(owner)).map(r -> r.id().value())
                    .toList(), "one role for the instance, whichever execution claimed first");
            for (String name : executionNames(cloud, "launch-" + owner)) {
                assertEquals("SERVING", outcome(execution(cloud, name)), name);
            }
            assertEquals(1, cloud.sim().history().entries("AutoScaling.CompleteLifecycleAction").stream()
                    .filter(e -> owner.equals(e.get("instance"))).count(), "its action completed once");
            TriggerResult late = cloud.triggerResults().stream().filter(r -> owner.equals(r.instanceId())
                    && r.execution() != null).findFirst().orElseThrow();
            assertEquals("STARTED", late.action());
            assertNoViolations(cloud);
        }
    }
}
