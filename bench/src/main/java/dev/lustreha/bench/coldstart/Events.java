package dev.lustreha.bench.coldstart;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lustreha.bench.coldstart.LocalCloud.World;
import dev.lustreha.config.Config;
import dev.lustreha.config.Json;
import dev.lustreha.domain.RoleType;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.steps.HandoverState.Attach;
import dev.lustreha.steps.HandoverState.Claim;
import dev.lustreha.steps.HandoverState.ClaimOutcome;
import dev.lustreha.steps.HandoverState.Detach;
import dev.lustreha.steps.HandoverState.Fence;
import dev.lustreha.steps.HandoverState.StepError;
import dev.lustreha.steps.HandoverState.Timings;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.trigger.ExecutionStarter;
import dev.lustreha.trigger.LifecycleTrigger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one event of each cold-start run, real-shaped: the EventBridge events are the repository's
 * own {@code events/} files with their instance ids mapped to the seeded servers (as
 * {@code ./lustre-ha replay --map} does); a workflow step gets the execution state the lifecycle
 * trigger builds from that event (by running the trigger's own code), with the earlier steps'
 * parts filled in as they would be by then.
 */
final class Events {

    /** The instance ids in events/: the launching server and the server that stops or terminates. */
    private static final String EVENTS_NEW_SERVER = "i-0a1b2c3d4e5f60001";
    private static final String EVENTS_OLD_SERVER = "i-0a1b2c3d4e5f60002";
    private static final String LAUNCH_TOKEN = "87654321-4321-4321-4321-210987654321";

    private final Path events;

    Events(Path repository) {
        this.events = repository.resolve("events");
    }

    static String launchExecution(World w) {
        return "launch-" + w.newServer() + "-" + LAUNCH_TOKEN;
    }

    /** An EventBridge event of events/, its servers mapped to the world's. */
    byte[] eventBridge(String file, World w) {
        try {
            String text = Files.readString(events.resolve(file))
                    .replace(EVENTS_NEW_SERVER, w.newServer())
                    .replace(EVENTS_OLD_SERVER, w.oldServer());
            return text.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reconciler's EventBridge schedule event (its content does not matter to the handler). */
    static byte[] scheduled() {
        return ("{\"version\":\"0\",\"id\":\"72345678-1234-1234-1234-123456789012\",\"detail-type\":\"Scheduled Event\","
                + "\"source\":\"aws.events\",\"account\":\"123456789012\",\"time\":\"2026-11-21T10:16:00Z\","
                + "\"region\":\"us-east-1\",\"resources\":[\"arn:aws:events:us-east-1:123456789012:rule/scratch-reconcile\"],"
                + "\"detail\":{}}").getBytes(StandardCharsets.UTF_8);
    }

    /** CloudFormation's Create of the Custom::LustrePool resource: one MDS, one OSS with one volume. */
    static byte[] poolCreate(World w, String responseUrl) {
        return ("{\"RequestType\":\"Create\",\"ServiceToken\":\"arn:aws:lambda:us-east-1:123456789012:function:pool\","
                + "\"ResponseURL\":\"" + responseUrl + "\","
                + "\"StackId\":\"arn:aws:cloudformation:us-east-1:123456789012:stack/scratch/7b4c3e20-0000-0000-0000-000000000001\","
                + "\"RequestId\":\"5d5f1c9a-0000-0000-0000-000000000001\",\"LogicalResourceId\":\"Pool\","
                + "\"ResourceType\":\"Custom::LustrePool\",\"ResourceProperties\":{"
                + "\"ServiceToken\":\"arn:aws:lambda:us-east-1:123456789012:function:pool\","
                + "\"FileSystemName\":\"scratch\",\"SubnetId\":\"" + w.subnet() + "\","
                + "\"SecurityGroupIds\":[\"" + w.securityGroup() + "\"],\"MdsCount\":\"1\",\"OssCount\":\"1\","
                + "\"VolumesPerOss\":\"1\",\"MgtVolumeSize\":\"1\",\"MdtVolumeSize\":\"64\",\"OstVolumeSize\":\"512\","
                + "\"VolumeType\":\"gp3\",\"VolumeIops\":\"3000\",\"VolumeThroughput\":\"250\",\"StandbyCount\":\"0\","
                + "\"DeleteDataOnStackDelete\":\"false\"}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The state a handover (launch) or release (terminate) execution starts with, as the trigger makes it. */
    HandoverState started(String eventFile, World w) {
        Map<RoleType, String> groups = new EnumMap<>(RoleType.class);
        groups.put(RoleType.OSS, LocalCloud.OSS_GROUP);
        Config config = new Config(new FileSystemName(LocalCloud.FILE_SYSTEM), "RolesTable", "ResourcesTable",
                w.handoverArn(), w.releaseArn(), groups, "lustre-ha-launch", "lustre-ha-terminate");
        AtomicReference<String> input = new AtomicReference<>();
        ExecutionStarter capture = (arn, name, json) -> {
            input.set(json);
            return ExecutionStarter.Started.STARTED;
        };
        new LifecycleTrigger(config, capture, HandoverState.Poll.defaults())
                .handle(readTree(eventBridge(eventFile, w)));
        if (input.get() == null) {
            throw new IllegalStateException(eventFile + " started no execution");
        }
        try {
            return Json.MAPPER.readValue(input.get(), HandoverState.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The handover's state once the claim step took oss01 at epoch 2 from the old server. */
    HandoverState claimed(World w, Instant startedAt) {
        Claim claim = new Claim(ClaimOutcome.CLAIMED, "oss01", 2L, w.oldServer(), true, LocalCloud.AZ, w.eni(),
                w.privateIp(), w.volumes(), false, false);
        return started("launch-lifecycle.json", w).withClaim(claim)
                .withTimings(new Timings(startedAt, startedAt.plusSeconds(1), null, null, null, null, null));
    }

    /** ... and once fenced, detached and attached (the record and complete steps' input). */
    HandoverState attached(World w, Instant startedAt) {
        Timings t = new Timings(startedAt, startedAt.plusSeconds(1), startedAt.plusSeconds(12),
                startedAt.plusSeconds(14), startedAt.plusSeconds(20), null, null);
        return claimed(w, startedAt)
                .withFence(new Fence(true, List.of(w.oldServer()), List.of(), List.of(), startedAt.plusSeconds(1), 3, 0, 5,
                        false))
                .withDetach(new Detach(true, Map.of(), List.of(), startedAt.plusSeconds(12), 2, 0, 2))
                .withAttach(new Attach(true, startedAt.plusSeconds(14), 3, 0, 2))
                .withTimings(t);
    }

    /** A claimed handover whose detach failed for good: the compensate step's input (the Catch's $.error). */
    HandoverState failed(World w, Instant startedAt) {
        HandoverState s = claimed(w, startedAt);
        return new HandoverState(s.input(), s.claim(), s.fence(), s.detach(), s.attach(), s.timings(), s.heartbeatAt(),
                s.outcome(), new StepError("dev.lustreha.errors.ResourceHeldException",
                        "resources of oss01 are held by unfenced [" + w.oldServer() + "]"));
    }

    static byte[] json(HandoverState state) {
        try {
            return Json.MAPPER.writeValueAsBytes(state);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
