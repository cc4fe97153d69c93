package dev.lustreha.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleState;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.HistoryEvent;
import dev.lustreha.steps.HandoverState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * A handover under EC2's request limits, and what one costs: a poll that EC2 throttles keeps what it
 * did and comes back later (no failure, no retry of the step, no compensation); a terminated owner's
 * handover skips the detach step and tags once; a hung owner's detaches and attaches each go out in
 * one poll.
 */
class ThrottledHandoverIT {

    private static final String ROLE = "oss01";
    private static final FileSystemSpec SPEC = new FileSystemSpec(new FileSystemName("thr"), "us-east-1a", 1, 1, 8, 0);

    /** One Task invocation and the API calls its function made. */
    private record Step(String execution, String state, String output, List<History.Call> calls) {

        long calls(String operation, String error) {
            return calls.stream().filter(c -> c.operation().equals(operation)
                    && (error == null ? c.error() == null : error.equals(c.error()))).count();
        }
    }

    private static List<Step> record(LocalCloud cloud) {
        List<Step> steps = new ArrayList<>();
        History history = cloud.sim().history();
        cloud.intercept((call, next) -> {
            int from = history.callCount();
            var result = next.invoke(call.resource(), call.input());
            steps.add(new Step(call.execution(), call.state(), result.output(), history.callsFrom(from)));
            return result;
        });
        return steps;
    }

    private static LocalCloud booted(long seed, Latency latency) {
        LocalCloud cloud = LocalCloud.start(SPEC, LocalCloud.Options.deterministic(seed, latency));
        assertTrue(cloud.awaitSettled(Duration.ofMinutes(20)), "the first boot serves");
        // A quiet minute: EC2's request buckets are full again.
        cloud.runUntil(cloud.sim().clock().now().plus(Duration.ofMinutes(1)));
        return cloud;
    }

    private static boolean movedOn(LocalCloud cloud, long epoch) {
        Role r = cloud.role(ROLE);
        return r.epoch() > epoch && r.state() == RoleState.SERVING && cloud.allServing();
    }

    private static List<Step> of(List<Step> steps, String execution) {
        return steps.stream().filter(s -> s.execution().equals(execution)).toList();
    }

    /** The handover execution of the role's newest claim. */
    private static String handoverOf(LocalCloud cloud, List<Step> steps) throws Exception {
        String last = null;
        for (Step s : steps) {
            if (s.state().equals("Claim") && s.output() != null) {
                HandoverState h = Json.MAPPER.readValue(s.output(), HandoverState.class);
                if (h.claim() != null && ROLE.equals(h.claim().roleId())) {
                    last = s.execution();
                }
            }
        }
        return last;
    }

    /** Strikes the role's owner with {@code fault}, waits until the role moved on, and returns its handover's steps. */
    private static List<Step> handOver(LocalCloud cloud, Consumer<String> fault) throws Exception {
        List<Step> steps = record(cloud);
        long epoch = cloud.role(ROLE).epoch();
        fault.accept(cloud.role(ROLE).owner().orElseThrow());
        assertTrue(cloud.awaitState(() -> movedOn(cloud, epoch), Duration.ofMinutes(10)), "the role moved on");
        return of(steps, handoverOf(cloud, steps));
    }

    private static ExecutionResult result(LocalCloud cloud, String execution) {
        return cloud.executions().all().stream().filter(e -> e.name().equals(execution)).findFirst().orElseThrow()
                .result().join();
    }

    @Test
    void anAttachPollThrottledByEc2KeepsWhatItDidAndComesBackLater() throws Exception {
        try (LocalCloud cloud = booted(31, Latency.zero())) {
            String owner = cloud.role(ROLE).owner().orElseThrow();
            long epoch = cloud.role(ROLE).epoch();
            String spare = cloud.pool().get(0).volumes().get(0).volumeId();
            // Just before the first attach poll, someone else spends AttachVolume's burst but for 3 tokens
            // (refused attaches take their token too). Added first, so its calls are not the step's.
            cloud.intercept((call, next) -> {
                if (call.state().equals("Attach") && cloud.sim().ec2().requestTokens("AttachVolume", false) > 40) {
                    while (cloud.sim().ec2().requestTokens("AttachVolume", false) >= 4) {
                        try {
                            cloud.sim().ec2().attachVolume(r -> r.volumeId(spare).instanceId("i-0123456789abcdef0")
                                    .device("/dev/sdz"));
                        } catch (Ec2Exception expected) {
                            // InvalidInstanceID.NotFound: the token is spent all the same.
                        }
                    }
                }
                return next.invoke(call.resource(), call.input());
            });
            List<Step> steps = record(cloud);
            cloud.sim().ec2().terminateInstances(r -> r.instanceIds(owner));
            assertTrue(cloud.awaitState(() -> movedOn(cloud, epoch), Duration.ofMinutes(10)), "the role moved on");

            String execution = handoverOf(cloud, steps);
            List<Step> attaches = of(steps, execution).stream().filter(s -> s.state().equals("Attach")).toList();
            Step first = attaches.get(0);
            assertEquals(3, first.calls("Ec2.AttachVolume", null), "the 3 tokens left were used");
            assertEquals(1, first.calls("Ec2.AttachVolume", "RequestLimitExceeded"),
                    "and the poll stopped at the first throttled call");
            HandoverState after = Json.MAPPER.readValue(first.output(), HandoverState.class);
            assertFalse(after.attach().done());
            assertEquals(1, after.attach().throttledPolls());
            assertTrue(after.attach().waitSeconds() >= 1 && after.attach().waitSeconds() <= 4,
                    "a jittered wait of up to twice the 2 s poll: " + after.attach().waitSeconds());
            long attached = attaches.stream().mapToLong(s -> s.calls("Ec2.AttachVolume", null)).sum();
            assertEquals(8, attached, "each volume attached once, over later polls");

            ExecutionResult r = result(cloud, execution);
            assertEquals(List.of(), r.events(HistoryEvent.STATE_RETRIED), "throttling is not a step failure");
            assertTrue(r.events(HistoryEvent.STATE_ENTERED).stream()
                    .noneMatch(e -> e.state().filter("Compensate"::equals).isPresent()), "no compensation");
            assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), false));
        }
    }

    @Test
    void aTerminatedOwnersHandoverSkipsTheDetachStepAndTagsOnce() throws Exception {
        try (LocalCloud cloud = booted(32, Latency.zero())) {
            List<Step> handover = handOver(cloud, owner -> cloud.sim().ec2().terminateInstances(r -> r.instanceIds(owner)));
            List<String> states = handover.stream().map(Step::state).toList();
            assertFalse(states.contains("Detach"), "EC2 released everything at termination: " + states);
            Map<String, Long> calls = new TreeMap<>();
            handover.forEach(s -> s.calls().forEach(c -> calls.merge(c.operation(), 1L, Long::sum)));
            assertEquals(1L, calls.get("Ec2.CreateTags"), "instance, ENI and volumes tagged in one call: " + calls);
            assertEquals(8L, calls.get("Ec2.AttachVolume"));
            assertEquals(1L, calls.get("Ec2.AttachNetworkInterface"));
            Step lastAttach = handover.stream().filter(s -> s.state().equals("Attach")).reduce((a, b) -> b).orElseThrow();
            assertEquals(List.of("Ec2.DescribeInstances"), lastAttach.calls().stream().map(History.Call::operation).toList(),
                    "the poll that finds everything attached reads the instance alone");
            assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), false));
        }
    }

    @Test
    void aHungOwnersVolumesAreDetachedAndAttachedEachInOnePoll() throws Exception {
        try (LocalCloud cloud = booted(33, Latency.aws())) {
            List<Step> handover = handOver(cloud, owner -> {
                cloud.sim().ec2().setHung(owner, true);
                cloud.sim().autoScaling().setInstanceHealth(r -> r.instanceId(owner).healthStatus("Unhealthy")
                        .shouldRespectGracePeriod(false));
            });
            List<Step> detaching = handover.stream().filter(s -> s.calls("Ec2.DetachVolume", null) > 0).toList();
            List<Step> attaching = handover.stream().filter(s -> s.calls("Ec2.AttachVolume", null) > 0).toList();
            assertEquals(1, detaching.size());
            assertEquals(8, detaching.get(0).calls("Ec2.DetachVolume", null));
            assertEquals(1, attaching.size());
            assertEquals(8, attaching.get(0).calls("Ec2.AttachVolume", null));
            assertTrue(handover.stream().allMatch(s -> s.calls("Ec2.DescribeVolumes", null) <= 1),
                    "one DescribeVolumes per poll, not one per volume");
            assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), false));
        }
    }
}
