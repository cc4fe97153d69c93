package dev.lustreha.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.history.HandoverRecord;
import dev.lustreha.local.Repository;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.sfn.ExecutionResult;
import dev.lustreha.local.sfn.ExecutionStatus;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.TriggerResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The handover end to end on the local cloud (issue 4): the production handlers behind the local
 * Lambda endpoint, the real state machines on aws-local-stepfunctions, the simulated EC2 and Auto
 * Scaling. Every scenario ends with the invariants checked from the simulated cloud's history.
 */
class HandoverScenariosIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofMinutes(20);
    private static final Set<String> MUTATIONS = Set.of("Ec2.AttachVolume", "Ec2.DetachVolume",
            "Ec2.AttachNetworkInterface", "Ec2.DetachNetworkInterface", "Ec2.CreateTags", "Ec2.DeleteTags",
            "Ec2.StopInstances", "Ec2.TerminateInstances");

    private static FileSystemSpec spec(int standbys) {
        return new FileSystemSpec(new FileSystemName("scratch"), "us-east-1a", 1, 4, 2, standbys);
    }

    private static void settle(LocalCloud cloud) {
        assertTrue(cloud.awaitSettled(SETTLE), () -> "not every role came to serve: " + cloud.roles());
    }

    private static void assertNoViolations(LocalCloud cloud) {
        assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), false));
    }

    private static List<History.Entry> since(LocalCloud cloud, long seq) {
        return cloud.sim().history().entries().stream().filter(e -> e.seq() >= seq).toList();
    }

    private static long mark(LocalCloud cloud) {
        return cloud.sim().history().entries().size();
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

    private static String resourceOf(History.Entry e) {
        return e.get("volume") != null ? e.get("volume") : e.get("eni");
    }

    // ---------------------------------------------------------------- 1

    @Test
    void s01FreshFileSystemEveryRoleClaimedOnceFormattedAndServing() {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(101))) {
            settle(cloud);
            History h = cloud.sim().history();
            for (Role r : cloud.roles()) {
                assertEquals(1, r.epoch(), r.id() + " claimed exactly once");
                assertFalse(r.needsFormat(), r.id() + " formatted by its first owner");
                String owner = r.owner().orElseThrow();
                assertTrue(h.entries("Ec2.CreateTags").stream().anyMatch(e -> e.get("resource").equals(owner)
                        && e.get("tags").contains(Tags.NEEDS_FORMAT + "=true")
                        && e.get("tags").contains(Tags.EPOCH + "=1")), r.id() + ": the first claimant is told to format");
            }
            assertEquals(6, h.entries("Ec2.AttachNetworkInterface").size());
            assertTrue(h.entries("Ec2.AttachNetworkInterface").stream().allMatch(e -> "1".equals(e.get("deviceIndex"))),
                    "every role ENI at device index 1");
            Map<String, String> deviceOf = cloud.pool().stream().flatMap(r -> r.volumes().stream())
                    .collect(Collectors.toMap(Volume::volumeId, Volume::device));
            assertEquals(deviceOf.size(), h.entries("Ec2.AttachVolume").size());
            for (History.Entry e : h.entries("Ec2.AttachVolume")) {
                assertEquals(deviceOf.get(e.get("volume")), e.get("device"), "each volume at its recorded device");
            }
            assertEquals(deviceOf.size(), h.entries("Guest.Format").size(), "each target formatted once");
            List<History.Entry> started = h.entries("AutoScaling.LifecycleActionStarted");
            assertEquals(6, started.size());
            for (History.Entry s : started) {
                assertTrue(h.entries("AutoScaling.CompleteLifecycleAction").stream().anyMatch(c ->
                        c.get("token").equals(s.get("token")) && "CONTINUE".equals(c.get("result"))),
                        "lifecycle action of " + s.get("instance") + " CONTINUEd");
            }
            assertEquals(List.of(), Invariants.check(h, cloud.pool(), true));
        }
    }

    // ---------------------------------------------------------------- 2

    @Test
    void s02OssOwnerTerminatedReplacementServesAtEpochTwoWithoutFormatting() {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(102))) {
            settle(cloud);
            String old = cloud.role("oss02").owner().orElseThrow();
            long mark = mark(cloud);
            cloud.sim().ec2().terminateInstances(r -> r.instanceIds(old));
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss02", 2), SETTLE), () -> cloud.roles().toString());

            Role now = cloud.role("oss02");
            String replacement = now.owner().orElseThrow();
            assertNotEquals(old, replacement);
            assertEquals(java.util.Optional.of(old), now.previousOwner());
            assertFalse(now.needsFormat());
            assertEquals("false", cloud.sim().ec2().tagsOf(replacement).get(Tags.NEEDS_FORMAT));
            assertTrue(cloud.sim().autoScaling().instancesOf("scratch-oss").contains(replacement));
            List<History.Entry> after = since(cloud, mark);
            long terminatedAt = after.stream().filter(e -> e.action().equals("Ec2.InstanceState")
                    && old.equals(e.get("instance")) && "terminated".equals(e.get("state"))).findFirst().orElseThrow().seq();
            Set<String> moved = resourceIds(cloud.resources("oss02"));
            assertTrue(after.stream().filter(e -> e.action().startsWith("Ec2.Attach") && moved.contains(resourceOf(e)))
                    .allMatch(e -> e.seq() > terminatedAt), "nothing attached before the old owner was confirmed terminated");
            assertEquals(0, after.stream().filter(e -> e.action().equals("Guest.Format")).count(), "never formatted again");

            // The handover's record and its metrics.
            HandoverRecord record = cloud.history().latest(new FileSystemName("scratch"),
                    dev.lustreha.domain.RoleId.parse("oss02")).orElseThrow();
            assertEquals(old, record.fromInstance());
            assertEquals(replacement, record.toInstance());
            assertEquals(2, record.epoch());
            assertEquals("SERVING", record.outcome());
            assertTrue(record.totalSeconds() > 0 && record.fenceSeconds() != null && record.attachSeconds() != null);
            JsonNode emf = metricsOf(cloud, "oss02", 2);
            JsonNode directive = emf.path("_aws").path("CloudWatchMetrics").get(0);
            assertEquals("LustreHA", directive.path("Namespace").asText());
            assertEquals("[[\"FileSystem\"]]", directive.path("Dimensions").toString());
            assertEquals("Seconds", unitOf(directive, "HandoverSeconds"));
            assertEquals("Count", unitOf(directive, "ForcedFences"));
            assertEquals("scratch", emf.path("FileSystem").asText());
            assertEquals(record.totalSeconds(), emf.path("HandoverSeconds").asDouble(), 0.001);
            assertEquals(0, emf.path("HandoverFailures").asInt());
            assertNoViolations(cloud);
        }
    }

    // ---------------------------------------------------------------- 3

    @Test
    void s03ZombieIsForceStoppedAndConfirmedStoppedBeforeAnythingIsDetached() {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(103))) {
            settle(cloud);
            String zombie = cloud.role("mds01").owner().orElseThrow();
            long mark = mark(cloud);
            cloud.sim().ec2().setHung(zombie, true);
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "mds01", 2), SETTLE), () -> cloud.roles().toString());

            List<History.Entry> after = since(cloud, mark);
            String replacement = cloud.role("mds01").owner().orElseThrow();
            History.Entry launch = after.stream().filter(e -> e.action().equals("Ec2.Launch")
                    && replacement.equals(e.get("instance"))).findFirst().orElseThrow();
            assertEquals("running", lastState(after, zombie, launch.seq()),
                    "the group launched the replacement while the zombie still ran");
            History.Entry stop = after.stream().filter(e -> e.action().equals("Ec2.StopInstances")
                    && zombie.equals(e.get("instance"))).findFirst().orElseThrow();
            assertEquals("true", stop.get("force"), "the fence is a forced stop");
            long stoppedAt = after.stream().filter(e -> e.action().equals("Ec2.InstanceState")
                    && zombie.equals(e.get("instance")) && "stopped".equals(e.get("state"))).findFirst().orElseThrow().seq();
            Set<String> moved = resourceIds(cloud.resources("mds01"));
            List<History.Entry> detaches = after.stream().filter(e -> e.action().startsWith("Ec2.Detach")
                    && moved.contains(resourceOf(e))).toList();
            assertFalse(detaches.isEmpty(), "the stopped zombie still held the role's ENI and volume");
            for (History.Entry d : detaches) {
                assertTrue(d.seq() > stoppedAt, "detached only after EC2 said stopped");
                assertEquals("stopped", d.get("holderState"));
            }
            assertNoViolations(cloud);
        }
    }

    /** The handover metrics document of a role at an epoch, as the handlers printed it. */
    private static JsonNode metricsOf(LocalCloud cloud, String role, long epoch) {
        for (String line : cloud.metricLines()) {
            try {
                JsonNode doc = JSON.readTree(line);
                if (doc.has("Handovers") && role.equals(doc.path("role").asText())
                        && Long.toString(epoch).equals(doc.path("epoch").asText())) {
                    return doc;
                }
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }
        throw new AssertionError("no handover metrics for " + role + " at epoch " + epoch + " in " + cloud.metricLines());
    }

    private static String unitOf(JsonNode directive, String metric) {
        for (JsonNode m : directive.path("Metrics")) {
            if (m.path("Name").asText().equals(metric)) {
                return m.path("Unit").asText();
            }
        }
        throw new AssertionError("no metric " + metric + " in " + directive);
    }

    private static String lastState(List<History.Entry> entries, String instance, long before) {
        return entries.stream().filter(e -> e.seq() < before && e.action().equals("Ec2.InstanceState")
                        && instance.equals(e.get("instance")))
                .reduce((a, b) -> b).map(e -> e.get("state")).orElse("running");
    }

    // ---------------------------------------------------------------- 4

    @Test
    void s04StuckBusyDetachIsForcedOnlyAfterTheFence() {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(104))) {
            settle(cloud);
            RoleResources oss01 = cloud.resources("oss01");
            String zombie = cloud.role("oss01").owner().orElseThrow();
            Instant forever = cloud.sim().clock().now().plus(Duration.ofDays(1));
            oss01.volumes().forEach(v -> cloud.sim().ec2().stickDetach(v.volumeId(), forever));
            long mark = mark(cloud);
            cloud.sim().ec2().setHung(zombie, true);
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss01", 2), SETTLE), () -> cloud.roles().toString());

            List<History.Entry> detaches = since(cloud, mark).stream()
                    .filter(e -> e.action().equals("Ec2.DetachVolume")).toList();
            List<History.Entry> forced = detaches.stream().filter(e -> "true".equals(e.get("force"))).toList();
            assertEquals(oss01.volumes().size(), forced.size(), "each stuck volume needed Force");
            for (History.Entry f : forced) {
                assertEquals("stopped", f.get("holderState"), "Force only on a fenced holder");
                assertTrue(detaches.stream().anyMatch(n -> n.seq() < f.seq() && "false".equals(n.get("force"))
                        && f.get("volume").equals(n.get("volume"))), "a normal detach first");
                assertEquals("busy", f.get("attachmentState"), "forced because it stayed busy");
            }
            assertNoViolations(cloud);
        }
    }

    // ---------------------------------------------------------------- 5

    @Test
    void s05DuplicateAndReorderedEventsGiveTheSameEndStateAndNoExtraCalls() {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(105), sim ->
                sim.faults().duplicateEvents(sim.clock().now(), sim.clock().now().plus(Duration.ofHours(1))))) {
            settle(cloud);
            History h = cloud.sim().history();

            Map<String, Long> deliveries = h.entries("Events.Delivered").stream()
                    .filter(e -> e.get("detailType").endsWith("Lifecycle Action"))
                    .collect(Collectors.groupingBy(e -> e.get("id"), Collectors.counting()));
            assertTrue(deliveries.values().stream().allMatch(n -> n == 2), "every lifecycle event delivered twice");
            long lifecycleTriggers = cloud.triggerResults().stream().filter(r -> r.execution() != null).count();
            assertEquals(12, lifecycleTriggers, "the trigger saw each of the 6 actions twice");
            List<String> names = cloud.executions().all().stream().map(LocalExecutions.Execution::name).toList();
            assertEquals(6, names.size(), "one execution per lifecycle action");
            assertEquals(6, Set.copyOf(names).size());
            Map<String, Long> calls = h.calls();
            assertEquals(10L, calls.get("Ec2.AttachVolume"), "one AttachVolume per volume");
            assertEquals(6L, calls.get("Ec2.AttachNetworkInterface"), "one AttachNetworkInterface per role");
            assertEquals(6L, calls.get("AutoScaling.CompleteLifecycleAction"), "one completion per action");
            assertEquals(null, h.failures().get("AutoScaling.CompleteLifecycleAction"));
            assertEquals(null, calls.get("Ec2.StopInstances"));
            for (Role r : cloud.roles()) {
                assertEquals(1, r.epoch());
            }
            assertEquals(List.of(), Invariants.check(h, cloud.pool(), true));
        }
    }

    // ---------------------------------------------------------------- 6

    @Test
    void s06TwoInstancesRaceForOneRoleOneWinsTheOtherIsAStandbyWithNothingAttached() {
        try (LocalCloud cloud = LocalCloud.start(spec(1), LocalCloud.Options.fast(106))) {
            settle(cloud);
            assertTrue(cloud.await(() -> cloud.executions().all().size() == 7 && cloud.executions().idle(), SETTLE));
            Set<String> owners = cloud.roles().stream().map(r -> r.owner().orElseThrow()).collect(Collectors.toSet());
            List<String> losers = cloud.sim().autoScaling().instancesOf("scratch-oss").stream()
                    .filter(i -> !owners.contains(i)).toList();
            assertEquals(1, losers.size(), "five OSS servers, four roles");
            String loser = losers.get(0);
            assertEquals("scratch", cloud.sim().ec2().tagsOf(loser).get(Tags.STANDBY));
            assertEquals(null, cloud.sim().ec2().tagsOf(loser).get(Tags.ROLE));
            History h = cloud.sim().history();
            assertTrue(h.entries().stream().noneMatch(e -> e.action().startsWith("Ec2.Attach")
                    && loser.equals(e.get("instance"))), "nothing is ever attached to the loser");
            assertTrue(h.entries("AutoScaling.CompleteLifecycleAction").stream().anyMatch(e ->
                    loser.equals(e.get("instance")) && "CONTINUE".equals(e.get("result"))),
                    "a standby is CONTINUEd, never abandoned");
            assertEquals(List.of(), Invariants.check(h, cloud.pool(), true));
        }
    }

    // ---------------------------------------------------------------- 7

    @Test
    void s07AnInstanceInAnotherAzNeverClaimsAcrossAzs() throws IOException {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(107))) {
            settle(cloud);
            String otherSubnet = cloud.sim().ec2().addSubnet("us-east-1b", "10.0.2.");
            String elsewhere = cloud.sim().ec2().launch(new dev.lustreha.local.ec2.SimEc2.LaunchSpec(otherSubnet,
                    "c6in.4xlarge", "ami-0123456789abcdef0", Map.of(Tags.FILE_SYSTEM, "scratch",
                            "aws:autoscaling:groupName", "scratch-oss")));
            String old = cloud.role("oss03").owner().orElseThrow();
            long mark = mark(cloud);
            cloud.sim().ec2().terminateInstances(r -> r.instanceIds(old));
            // The instance in us-east-1b announces itself as a launch of the OSS group while oss03 is up for grabs.
            ObjectNode event = (ObjectNode) JSON.readTree(Files.readString(Repository.file("events/launch-lifecycle.json")));
            ((ObjectNode) event.get("detail")).put("EC2InstanceId", elsewhere)
                    .put("LifecycleActionToken", "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e");
            cloud.sim().bus().publish(event);
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss03", 2), SETTLE), () -> cloud.roles().toString());

            assertNotEquals(elsewhere, cloud.role("oss03").owner().orElseThrow());
            ExecutionResult r = execution(cloud, "launch-" + elsewhere);
            assertEquals(ExecutionStatus.SUCCEEDED, r.status());
            assertEquals("STANDBY", JSON.readTree(r.output().orElseThrow()).path("outcome").asText());
            assertTrue(since(cloud, mark).stream().noneMatch(e -> e.action().startsWith("Ec2.Attach")
                    && elsewhere.equals(e.get("instance"))), "nothing attached across AZs");
            assertNoViolations(cloud);
        }
    }

    private static ExecutionResult execution(LocalCloud cloud, String namePrefix) {
        return cloud.executions().all().stream().filter(e -> e.name().startsWith(namePrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no execution " + namePrefix)).result().join();
    }

    // ---------------------------------------------------------------- 8

    @Test
    void s08AStaleExecutionResumedAfterANewerClaimTouchesNothing() throws Exception {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(108))) {
            settle(cloud);
            ExecutionResult first = execution(cloud, "launch-" + cloud.role("oss04").owner().orElseThrow());
            HandoverState stale = dev.lustreha.config.Json.MAPPER.readValue(first.output().orElseThrow(),
                    HandoverState.class);
            // A newer claim (say a reconciler's handover to a standby) raises the epoch.
            Role newer = cloud.store().claim(cloud.role("oss04"), "i-0ffffffffffffff01", "newer");
            long mark = mark(cloud);
            for (String function : List.of("FenceFunction", "DetachFunction", "AttachFunction", "RecordFunction")) {
                HttpResponse<String> response = invoke(cloud, function,
                        dev.lustreha.config.Json.MAPPER.writeValueAsString(stale));
                assertEquals("Unhandled", response.headers().firstValue("X-Amz-Function-Error").orElse(""), function);
                assertEquals("dev.lustreha.errors.StaleEpochException",
                        JSON.readTree(response.body()).path("errorType").asText(), function);
            }
            assertEquals(List.of(), since(cloud, mark).stream().filter(e -> MUTATIONS.contains(e.action())).toList(),
                    "a stale step changes no attachment and no tag");
            assertEquals(newer, cloud.role("oss04"), "nor the table");
        }
    }

    private static HttpResponse<String> invoke(LocalCloud cloud, String function, String payload) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cloud.lambda().endpoint()
                        + "/2015-03-31/functions/" + function + "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    // ---------------------------------------------------------------- 9

    @Test
    void s09MalformedAndForeignEventsChangeNothingAndAreReported() throws IOException {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(109))) {
            settle(cloud);
            List<Role> before = cloud.roles();
            int executions = cloud.executions().all().size();
            int results = cloud.triggerResults().size();
            long mark = mark(cloud);
            List<String> fixtures;
            try (Stream<Path> files = Files.list(Repository.file("events"))) {
                fixtures = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("malformed-") || n.startsWith("foreign-") || n.startsWith("warm-pool-"))
                        .filter(n -> !n.equals("malformed-not-json.json")) // not JSON: it cannot travel on the bus
                        .sorted().toList();
            }
            for (String f : fixtures) {
                cloud.sim().bus().publish((ObjectNode) JSON.readTree(Files.readString(Repository.file("events/" + f))));
            }
            assertTrue(cloud.await(() -> cloud.triggerResults().size() >= results + fixtures.size(), Duration.ofMinutes(1)));
            List<TriggerResult> answers = cloud.triggerResults().subList(results, results + fixtures.size());
            for (TriggerResult r : answers) {
                assertTrue(Set.of("IGNORED", "REJECTED", "NOOP").contains(r.action()), r.toString());
                assertTrue(r.reason() != null && !r.reason().isBlank(), "reported with a reason: " + r);
            }
            assertEquals(executions, cloud.executions().all().size(), "no workflow started");
            assertEquals(before, cloud.roles(), "no role changed");
            assertEquals(List.of(), since(cloud, mark).stream().filter(e -> MUTATIONS.contains(e.action())).toList());
            assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), true),
                    "every lifecycle action of ours completed; none left to time out");
        }
    }

    // ---------------------------------------------------------------- 10

    @Test
    void s10ALongFenceSendsHeartbeatsBeforeTheHookTimesOut() {
        Latency slowStop = new Latency(Latency.aws().instanceRunning(), Latency.aws().instanceBoot(),
                Latency.aws().gracefulStop(), Latency.Range.seconds(900, 900), Latency.aws().shutdown(),
                Latency.aws().volumeCreate(), Latency.aws().volumeAttach(), Latency.aws().volumeDetach(),
                Latency.aws().eniAttach(), Latency.aws().eniDetach(), Latency.aws().eventDelivery(),
                Latency.aws().taskInvoke());
        HandoverState.Poll poll = new HandoverState.Poll(5, 2, 2, 120, 1200, 120, 900);
        try (LocalCloud cloud = LocalCloud.start(spec(0),
                LocalCloud.Options.fast(110).withLatency(slowStop).withPoll(poll))) {
            settle(cloud);
            String zombie = cloud.role("oss02").owner().orElseThrow();
            long mark = mark(cloud);
            cloud.sim().ec2().setHung(zombie, true);
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss02", 2), Duration.ofMinutes(40)),
                    () -> cloud.roles().toString());

            String replacement = cloud.role("oss02").owner().orElseThrow();
            List<History.Entry> after = since(cloud, mark);
            History.Entry started = after.stream().filter(e -> e.action().equals("AutoScaling.LifecycleActionStarted")
                    && replacement.equals(e.get("instance"))).findFirst().orElseThrow();
            List<History.Entry> beats = after.stream().filter(e -> e.action().equals(
                    "AutoScaling.RecordLifecycleActionHeartbeat") && replacement.equals(e.get("instance"))).toList();
            assertTrue(beats.size() >= 5, "a 900 s fence with a beat every 120 s: " + beats.size());
            assertTrue(Duration.between(started.at(), beats.get(0).at()).getSeconds() < 600,
                    "the first heartbeat comes before the 600 s hook timeout");
            assertTrue(after.stream().noneMatch(e -> e.action().equals("AutoScaling.LifecycleActionTimeout")));
            assertNoViolations(cloud);
        }
    }

    // ---------------------------------------------------------------- 11

    @Test
    void s11ATerminateHookReleasesTheRoleUnderItsEpochAndTheReplacementTakesIt() throws Exception {
        try (LocalCloud cloud = LocalCloud.start(spec(0), LocalCloud.Options.fast(111))) {
            settle(cloud);
            // The group terminates oss04's owner through its terminate hook (as scale-in or a refresh would).
            String old = cloud.role("oss04").owner().orElseThrow();
            long mark = mark(cloud);
            cloud.sim().autoScaling().terminateInstanceInAutoScalingGroup(r -> r.instanceId(old)
                    .shouldDecrementDesiredCapacity(false));
            assertTrue(cloud.await(() -> servingAtEpoch(cloud, "oss04", 2), SETTLE), () -> cloud.roles().toString());
            ExecutionResult release = execution(cloud, "release-" + old);
            assertEquals(ExecutionStatus.SUCCEEDED, release.status());
            assertEquals("RELEASED", JSON.readTree(release.output().orElseThrow()).path("outcome").asText());
            assertTrue(since(cloud, mark).stream().anyMatch(e -> e.action().equals("AutoScaling.CompleteLifecycleAction")
                    && old.equals(e.get("instance")) && "lustre-ha-terminate".equals(e.get("hook"))
                    && "CONTINUE".equals(e.get("result"))), "the terminate hook was completed");
            assertEquals(java.util.Optional.of(old), cloud.role("oss04").previousOwner());
            assertNoViolations(cloud);

            // The release step on its own (whether the release or the replacement's claim comes first is
            // a race the end-to-end run cannot pin): RELEASING under the owner's epoch, nothing else.
            Role before = cloud.role("oss01");
            String owner = before.owner().orElseThrow();
            String input = "{\"input\":{\"fileSystem\":\"scratch\",\"instanceId\":\"" + owner
                    + "\",\"autoScalingGroupName\":\"scratch-oss\",\"lifecycleHookName\":\"lustre-ha-terminate\"}}";
            HttpResponse<String> released = invoke(cloud, "ReleaseFunction", input);
            assertEquals("RELEASED", JSON.readTree(released.body()).path("outcome").asText(), released.body());
            Role after = cloud.role("oss01");
            assertEquals(RoleState.RELEASING, after.state());
            assertEquals(before.epoch(), after.epoch());
            assertEquals(before.owner(), after.owner(), "the owner stays recorded: the next claimant fences it");
        }
    }

    // ---------------------------------------------------------------- 12

    @Test
    void s12AFenceThatNeverConfirmsGivesTheClaimBackWithTheReasonAndLeavesAStandby() throws IOException {
        Latency neverStops = new Latency(Latency.aws().instanceRunning(), Latency.aws().instanceBoot(),
                Latency.aws().gracefulStop(), Latency.Range.seconds(3600, 3600), Latency.aws().shutdown(),
                Latency.aws().volumeCreate(), Latency.aws().volumeAttach(), Latency.aws().volumeDetach(),
                Latency.aws().eniAttach(), Latency.aws().eniDetach(), Latency.aws().eventDelivery(),
                Latency.aws().taskInvoke());
        HandoverState.Poll poll = new HandoverState.Poll(5, 2, 2, 120, 120, 120, 900);
        try (LocalCloud cloud = LocalCloud.start(spec(0),
                LocalCloud.Options.fast(112).withLatency(neverStops).withPoll(poll))) {
            settle(cloud);
            String zombie = cloud.role("oss03").owner().orElseThrow();
            cloud.sim().ec2().setHung(zombie, true);
            assertTrue(cloud.await(() -> cloud.role("oss03").state() == RoleState.RELEASED && cloud.executions().idle(),
                    Duration.ofMinutes(30)), () -> cloud.roles().toString());

            Role released = cloud.role("oss03");
            String claimant = released.owner().orElseThrow();
            assertTrue(released.reason().orElseThrow().startsWith("dev.lustreha.errors.HandoverTimeoutException"),
                    released.reason().toString());
            assertEquals(2, released.epoch(), "the failed claim keeps its epoch; the next claim raises it");
            ExecutionResult failed = execution(cloud, "launch-" + claimant);
            assertEquals(ExecutionStatus.FAILED, failed.status());
            assertEquals("scratch", cloud.sim().ec2().tagsOf(claimant).get(Tags.STANDBY), "left as a standby");
            assertTrue(cloud.sim().history().entries("AutoScaling.CompleteLifecycleAction").stream().anyMatch(e ->
                    claimant.equals(e.get("instance")) && "CONTINUE".equals(e.get("result"))),
                    "CONTINUEd: a relaunch cannot make the zombie stop sooner");
            assertTrue(cloud.sim().history().entries().stream().noneMatch(e -> e.action().startsWith("Ec2.Detach")),
                    "nothing detached from the unfenced zombie");
            HandoverRecord record = cloud.history().latest(new FileSystemName("scratch"),
                    dev.lustreha.domain.RoleId.parse("oss03")).orElseThrow();
            assertEquals("FAILED", record.outcome());
            assertTrue(record.reason().startsWith("dev.lustreha.errors.HandoverTimeoutException"), record.reason());
            JsonNode emf = metricsOf(cloud, "oss03", 2);
            assertEquals(1, emf.path("HandoverFailures").asInt());
            assertEquals(1, emf.path("HandoverTimeouts").asInt(), "what the fence alarm watches");
            assertEquals(1, emf.path("ForcedFences").asInt());
            assertNoViolations(cloud);
        }
    }
}
