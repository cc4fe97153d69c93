package dev.lustreha.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.steps.HandoverState;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Planned moves on the local cloud (issue 16, first slice; the in-JVM engine, so a seed gives the same run under any load): an operator moves oss02 to the ready
 * standby. When the owner confirms it unmounted in time, nothing is force-stopped or force-detached
 * (I9); when its umount hangs, the move falls back to fencing it within the release bound. Every
 * scenario ends with the invariants I1-I9 checked from the simulated cloud's history.
 */
class PlannedMoveScenariosIT {

    private static final Duration SETTLE = Duration.ofMinutes(20);
    private static final int RELEASE_BOUND_SECONDS = 60;

    private static FileSystemSpec spec() {
        return new FileSystemSpec(new FileSystemName("scratch"), "us-east-1a", 1, 4, 8, 1);
    }

    /** A settled file system with a ready standby: the owner of oss02 and the standby. */
    private record Ready(String owner, String spare, long mark) {
    }

    private static Ready ready(LocalCloud cloud) {
        assertTrue(cloud.awaitSettled(SETTLE), () -> "not every role came to serve: " + cloud.roles());
        assertTrue(cloud.await(() -> PlannedMoves.readyStandby(cloud, RoleType.OSS).isPresent()
                && cloud.executions().idle(), SETTLE),
                "the OSS group has a ready standby");
        // Mounted at its epoch: a role not yet reported mounted cannot be released gracefully.
        assertTrue(cloud.await(() -> cloud.role("oss02").health().mountedAt(1).isPresent(), SETTLE));
        return new Ready(cloud.role("oss02").owner().orElseThrow(),
                PlannedMoves.readyStandby(cloud, RoleType.OSS).orElseThrow(),
                cloud.sim().history().entries().size());
    }

    private static List<History.Entry> since(LocalCloud cloud, long mark) {
        return cloud.sim().history().entries().stream().filter(e -> e.seq() >= mark).toList();
    }

    private static boolean servedBy(LocalCloud cloud, String instance) {
        Role r = cloud.role("oss02");
        return r.state() == RoleState.SERVING && r.epoch() == 2 && r.isOwnedBy(instance)
                && cloud.holdsAttached(instance, cloud.resources("oss02")) && r.health().mountedAt(2).isPresent()
                && cloud.executions().idle();
    }

    private static HandoverState output(LocalCloud cloud, String name) {
        ExecutionResult r = cloud.executions().all().stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no execution " + name)).result().join();
        try {
            return Json.MAPPER.readValue(r.output().orElseThrow(() -> new AssertionError("no output: " + r)),
                    HandoverState.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> resourceIds(RoleResources r) {
        Set<String> ids = r.volumes().stream().map(Volume::volumeId).collect(Collectors.toSet());
        ids.add(r.network().eniId());
        return ids;
    }

    private static void assertNoViolations(LocalCloud cloud) {
        assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), false));
    }

    @Test
    void m01AConfirmedMoveUnmountsDetachesWithoutForceAndNeverStopsTheOldServer() {
        try (LocalCloud cloud = LocalCloud.start(spec(), LocalCloud.Options.deterministic(1601, Latency.aws()))) {
            Ready r = ready(cloud);
            Instant asked = cloud.sim().clock().now();
            String name = cloud.startMove("oss02", r.spare(), RELEASE_BOUND_SECONDS);
            assertTrue(cloud.await(() -> servedBy(cloud, r.spare()), SETTLE), () -> cloud.roles().toString());
            List<History.Entry> after = since(cloud, r.mark());
            Instant mounted = after.stream().filter(e -> e.action().equals("Guest.Mounted")
                    && r.spare().equals(e.get("instance"))).map(History.Entry::at).findFirst().orElseThrow();
            RoleResources oss02 = cloud.resources("oss02");

            HandoverState out = output(cloud, name);
            assertEquals("SERVING", out.outcome());
            assertTrue(out.release().confirmed(), () -> "the owner confirmed: " + out.release());
            assertFalse(out.release().fellBack());
            assertTrue(out.claim().releasedBy(r.owner()), "the claim saw the previous owner's unmount");
            assertEquals(List.of(), out.fence().stopsSent(), "no forced stop");
            assertEquals(List.of(), out.detach().forced(), "no forced detach");
            assertEquals(1, after.stream().filter(e -> e.action().equals("Guest.Unmounted")
                    && r.owner().equals(e.get("instance"))).count());
            assertEquals(List.of(), after.stream().filter(e -> e.action().equals("Ec2.StopInstances")).toList());
            List<History.Entry> detaches = after.stream().filter(e -> e.action().equals("Ec2.DetachVolume")
                    || e.action().equals("Ec2.DetachNetworkInterface")).toList();
            assertEquals(resourceIds(oss02).size(), detaches.size(), () -> "one detach per resource: " + detaches);
            assertTrue(detaches.stream().allMatch(e -> r.owner().equals(e.get("instance"))
                    && "running".equals(e.get("holderState")) && !Boolean.parseBoolean(e.get("force"))), detaches::toString);
            assertEquals(Optional.of(software.amazon.awssdk.services.ec2.model.InstanceStateName.RUNNING),
                    cloud.sim().ec2().stateOf(r.owner()), "the old server was never stopped");
            System.out.printf("m01: planned move of oss02 (%d volumes) to the standby: request to SERVING %.1f s virtual,"
                    + " mounted on the new server %.1f s, forced stops 0, forced detaches 0%n", oss02.volumes().size(),
                    Duration.between(asked, out.timings().servingAt()).toMillis() / 1000.0,
                    Duration.between(asked, mounted).toMillis() / 1000.0);
            assertNoViolations(cloud);
        }
    }

    @Test
    void m02AnUnmountThatHangsFallsBackToFencingWithinTheBound() {
        try (LocalCloud cloud = LocalCloud.start(spec(), LocalCloud.Options.deterministic(1602, Latency.aws()))) {
            Ready r = ready(cloud);
            cloud.unmountHangs(r.owner());
            Instant asked = cloud.sim().clock().now();
            String name = cloud.startMove("oss02", r.spare(), RELEASE_BOUND_SECONDS);
            assertTrue(cloud.await(() -> servedBy(cloud, r.spare()), SETTLE), () -> cloud.roles().toString());
            List<History.Entry> after = since(cloud, r.mark());

            HandoverState out = output(cloud, name);
            assertEquals("SERVING", out.outcome());
            assertTrue(out.release().fellBack(), () -> "the move fell back: " + out.release());
            assertFalse(out.release().confirmed());
            assertEquals(List.of(r.owner()), out.fence().stopsSent(), "the old owner was fenced");
            assertEquals(List.of(), after.stream().filter(e -> e.action().equals("Guest.Unmounted")).toList());
            Instant stopped = after.stream().filter(e -> e.action().equals("Ec2.StopInstances")
                    && r.owner().equals(e.get("instance"))).map(History.Entry::at).findFirst().orElseThrow();
            double fallback = Duration.between(asked, stopped).toMillis() / 1000.0;
            double claimed = Duration.between(asked, out.timings().claimedAt()).toMillis() / 1000.0;
            // Given up once the bound passed, not before: claimed at most one release poll (and its calls) later.
            assertTrue(claimed >= RELEASE_BOUND_SECONDS && claimed <= RELEASE_BOUND_SECONDS
                    + 2 * HandoverState.Move.DEFAULT_POLL_SECONDS, () -> "claimed after " + claimed + " s");
            assertTrue(stopped.isAfter(out.timings().claimedAt()), "the forced stop came after the claim");
            assertTrue(after.stream().filter(e -> e.action().startsWith("Ec2.Detach")).allMatch(e ->
                    "stopped".equals(e.get("holderState")) || "terminated".equals(e.get("holderState"))),
                    "nothing detached before the fence");
            System.out.printf("m02: unmount-hangs: claimed %.1f s and forced stop %.1f s after the request (bound %d s), "
                    + "SERVING on the standby %.1f s after it%n", claimed, fallback, RELEASE_BOUND_SECONDS,
                    Duration.between(asked, out.timings().servingAt()).toMillis() / 1000.0);
            assertNoViolations(cloud);
        }
    }
}
