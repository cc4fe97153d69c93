package dev.lustreha.config;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Volume;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.health.HealthAlarms;
import dev.lustreha.history.DynamoHandoverHistory;
import dev.lustreha.history.HandoverRecord;
import dev.lustreha.roles.DynamoRoleStore;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.SfnExecutionLister;
import dev.lustreha.trigger.SfnExecutionStarter;
import dev.lustreha.trigger.TriggerResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What {@link Priming} runs before a SnapStart snapshot: the requests each function makes on its
 * first event, through lustre-ha's own code ({@link DynamoRoleStore}, {@link Ec2Gateway}, the
 * Step Functions adapters) and real SDK clients of the same services, built like the production
 * ones but with throwaway static credentials and a {@link PrimingHttpClient}, which answers every
 * request itself. So the SDK resolves endpoints, marshals, signs and unmarshals as on a first
 * event, and nothing leaves the process: no AWS state can change (the writes included here reach
 * only that client), no connection is opened that a restored environment would find dead, and
 * the production clients' credential providers are never asked for credentials. The priming
 * clients are closed afterwards; what stays in the snapshot is loaded classes and the JSON
 * mapper's cached (de)serialisers.
 *
 * <p>Each method returns the requests answered, for the tests and the log.
 */
final class Primers {

    private static final StaticCredentialsProvider THROWAWAY =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAPRIMINGPRIMING00", "priming"));
    private static final String INSTANCE = "i-00000000000000000";
    private static final String OTHER_INSTANCE = "i-00000000000000001";
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private Primers() {
    }

    /** Round-trips the execution state (every part filled in), an event and a trigger's answer. */
    static boolean json() {
        try {
            HandoverState state = sampleState();
            String text = Json.MAPPER.writeValueAsString(state);
            boolean same = Json.MAPPER.readValue(text, HandoverState.class).equals(state);
            Json.MAPPER.readTree("{\"source\":\"aws.autoscaling\",\"detail-type\":\"EC2 Instance-launch Lifecycle "
                    + "Action\",\"detail\":{\"EC2InstanceId\":\"" + INSTANCE + "\"}}");
            Json.MAPPER.writeValueAsString(new TriggerResult("STARTED", null, INSTANCE, "priming"));
            Json.MAPPER.writeValueAsString(Map.of("step", "Priming", "durationMs", 0L));
            return same;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JDK's HTTPS connection classes, without connecting (opening a URL connection does not connect). */
    static boolean httpClasses() {
        try {
            return URI.create("https://priming.invalid/").toURL().openConnection() != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The role store's reads and conditional writes, and a handover record. */
    static List<String> dynamo(Region region, String rolesTable, String resourcesTable, String historyTable) {
        PrimingHttpClient http = new PrimingHttpClient();
        try (DynamoDbClient client = DynamoDbClient.builder().region(region).credentialsProvider(THROWAWAY)
                .httpClient(http).build()) {
            DynamoRoleStore store = new DynamoRoleStore(client, rolesTable, resourcesTable, Clock.systemUTC());
            FileSystemName fs = new FileSystemName("priming");
            RoleKey key = RoleKey.of("priming", "oss01");
            store.list(fs);
            store.list(fs, RoleType.OSS);
            store.resources(fs);
            store.load(key);
            store.resources(key);
            // The empty answers carry no item, so mapping the result fails here; the requests went out all the same.
            quietly(() -> store.claim(Role.vacant(key, "us-east-1a", T), INSTANCE, "priming"));
            quietly(() -> store.transition(key, INSTANCE, 1, RoleState.SERVING));
            new DynamoHandoverHistory(client, historyTable == null ? "priming" : historyTable).record(
                    new HandoverRecord("priming", "oss01", "priming", OTHER_INSTANCE, INSTANCE, 1, "SERVING", T, T,
                            1.0, 1.0, 1.0, 3.0, null));
        }
        return http.requests();
    }

    /** The EC2 and Auto Scaling calls of the handover steps, the reconciler and the triggers. */
    static List<String> compute(Region region) {
        PrimingHttpClient http = new PrimingHttpClient();
        try (Ec2Client ec2 = Ec2Client.builder().region(region).credentialsProvider(THROWAWAY).httpClient(http).build();
                AutoScalingClient autoScaling = AutoScalingClient.builder().region(region).credentialsProvider(THROWAWAY)
                        .httpClient(http).build()) {
            Ec2Gateway aws = new Ec2Gateway(ec2, autoScaling);
            aws.instances(List.of(INSTANCE, OTHER_INSTANCE));
            aws.volumes(List.of("vol-00000000000000000"));
            aws.enis(List.of("eni-00000000000000000"));
            aws.eni("eni-00000000000000000");
            aws.liveInGroups(List.of(INSTANCE));
            aws.groupMembers(List.of("priming-oss"));
            quietly(() -> aws.forceStop(OTHER_INSTANCE));
            quietly(() -> aws.detachVolume("vol-00000000000000000", OTHER_INSTANCE, false));
            quietly(() -> aws.detachEni("eni-attach-00000000000000000", false));
            quietly(() -> aws.attachVolume("vol-00000000000000000", INSTANCE, "/dev/sdf"));
            quietly(() -> aws.attachEni("eni-00000000000000000", INSTANCE, 1));
            quietly(() -> aws.tag(List.of(INSTANCE), Map.of("lustre-ha:role", "oss01")));
            quietly(() -> aws.completeLifecycleAction("priming-oss", "priming", null, INSTANCE, "CONTINUE"));
        }
        return http.requests();
    }

    /** The health alarms' calls (pool provisioner, reconciler, health trigger). */
    static List<String> alarms(Region region) {
        PrimingHttpClient http = new PrimingHttpClient();
        try (CloudWatchClient cloudWatch = CloudWatchClient.builder().region(region).credentialsProvider(THROWAWAY)
                .httpClient(http).build()) {
            HealthAlarms alarms = new HealthAlarms(cloudWatch);
            FileSystemName fs = new FileSystemName("priming");
            RoleId role = RoleId.parse("oss01");
            quietly(() -> alarms.ensure(fs, role, HealthAlarmSpec.DEFAULT));
            quietly(() -> alarms.raised(fs));
            quietly(() -> alarms.rearm(HealthAlarmSpec.alarmName(fs, role), "priming"));
            quietly(() -> alarms.delete(fs, List.of(role)));
        }
        return http.requests();
    }

    /** Starting and listing executions. */
    static List<String> workflows(Region region) {
        PrimingHttpClient http = new PrimingHttpClient();
        try (SfnClient sfn = SfnClient.builder().region(region).credentialsProvider(THROWAWAY).httpClient(http).build()) {
            String arn = "arn:aws:states:" + region.id() + ":000000000000:stateMachine:priming";
            new SfnExecutionStarter(sfn).start(arn, "priming", "{}");
            new SfnExecutionLister(sfn).running(arn);
        }
        return http.requests();
    }

    private static void quietly(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException expected) {
            // An empty answer where a real one would carry data: the request was made, which is the point.
        }
    }

    static HandoverState sampleState() {
        HandoverState.Input input = new HandoverState.Input("priming", INSTANCE, "OSS", "priming-oss", "lustre-ha-launch",
                "00000000-0000-0000-0000-000000000000", "autoscaling:EC2_INSTANCE_LAUNCHING", "launch-priming",
                HandoverState.Poll.defaults());
        HandoverState.Claim claim = new HandoverState.Claim(HandoverState.ClaimOutcome.CLAIMED, "oss01", 2L,
                OTHER_INSTANCE, true, "us-east-1a", "eni-00000000000000000", "10.0.0.10",
                List.of(new Volume("vol-00000000000000000", "/dev/sdf", "priming-OST0000")), false, false);
        return new HandoverState(input, claim,
                new HandoverState.Fence(true, List.of(OTHER_INSTANCE), List.of(OTHER_INSTANCE), List.of(), T, 2, 1, 5,
                        false),
                new HandoverState.Detach(true, Map.of("vol-00000000000000000", T), List.of(), T, 1, 0, 2),
                new HandoverState.Attach(true, T, 1, 0, 2),
                new HandoverState.Timings(T, T, T, T, T, T, T), T, "SERVING",
                new HandoverState.StepError("dev.lustreha.errors.ResourceHeldException", "priming"));
    }
}
