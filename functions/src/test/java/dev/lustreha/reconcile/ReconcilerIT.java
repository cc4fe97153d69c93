package dev.lustreha.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Config;
import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.errors.AwsUnavailableException;
import dev.lustreha.local.Repository;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.autoscaling.SimAutoScaling;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import dev.lustreha.roles.DynamoRoleStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.ExecutionLister;
import dev.lustreha.trigger.ExecutionStarter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The reconciler's adapters around the planner: facts gathered from DynamoDB Local and the
 * simulated EC2 and Auto Scaling, what the started executions receive, each action carried out on
 * its own, the state-change trigger's fallback, and the handler's log and metric lines.
 */
class ReconcilerIT {

    private static final String AZ = "us-east-1a";
    private static final String HANDOVER = "arn:aws:states:us-east-1:000000000000:stateMachine:handover";
    private static final String RELEASE = "arn:aws:states:us-east-1:000000000000:stateMachine:release";
    private static final AtomicInteger FILE_SYSTEMS = new AtomicInteger();

    private static DynamoDbLocal local;
    private static DynamoDbClient dynamo;

    private SimCloud sim;
    private FileSystemName fs;
    private RoleStore store;
    private Ec2Gateway aws;
    private Config config;
    private final List<String[]> starts = new ArrayList<>();
    private final List<ExecutionLister.Running> running = new ArrayList<>();
    private String failingName;
    private RuntimeException listerFailure;

    @BeforeAll
    static void startDynamo() {
        local = DynamoDbLocal.startWithTables(Repository.file("template.yaml"));
        dynamo = local.newClient();
    }

    @AfterAll
    static void stopDynamo() {
        dynamo.close();
        local.close();
    }

    /** One OSS role with its ENI and volume, and a group of two OSS servers left waiting in Pending:Wait. */
    @BeforeEach
    void fileSystem() {
        sim = SimCloud.create(7, Latency.zero());
        fs = new FileSystemName("rc" + FILE_SYSTEMS.incrementAndGet());
        store = new DynamoRoleStore(dynamo, "RolesTable", "ResourcesTable", sim.clock().asClock());
        aws = new Ec2Gateway(sim.ec2(), sim.autoScaling());
        String subnet = sim.ec2().addSubnet(AZ, "10.0.1.");
        Map<String, String> tags = Map.of(Tags.FILE_SYSTEM, fs.value());
        Ec2Gateway.NetworkIdentityView eni = aws.createEni(subnet, List.of("sg-0a1b2c3d4e5f60718"), "oss01", "t-eni", tags);
        String volume = aws.createVolume(AZ, 8, "gp3", null, null, "t-vol", tags);
        RoleKey key = new RoleKey(fs, dev.lustreha.domain.RoleId.parse("oss01"));
        store.createIfAbsent(Role.vacant(key, AZ, sim.clock().now()));
        store.registerResources(new RoleResources(key, AZ, new NetworkIdentity(eni.eniId(), eni.privateIp()),
                List.of(new Volume(volume, "/dev/sdf", fs.value() + "-OST0000"))));
        sim.autoScaling().createGroup(new SimAutoScaling.GroupSpec(fs.value() + "-oss", subnet, AZ, "c6in.4xlarge",
                "ami-0123456789abcdef0", 2, tags, List.of(
                        new SimAutoScaling.HookSpec("lustre-ha-launch", SimAutoScaling.LAUNCHING, 600, "CONTINUE", null),
                        new SimAutoScaling.HookSpec("lustre-ha-terminate", SimAutoScaling.TERMINATING, 300, "CONTINUE", null)),
                0, true));
        sim.clock().advance(Duration.ofSeconds(90)); // both wait in Pending:Wait, launched longer ago than the grace
        config = new Config(fs, "RolesTable", "ResourcesTable", HANDOVER, RELEASE,
                Map.of(RoleType.OSS, fs.value() + "-oss", RoleType.MDS, fs.value() + "-mds"), "lustre-ha-launch",
                "lustre-ha-terminate");
    }

    private Reconciler reconciler(RoleStore roles) {
        ExecutionStarter starter = (arn, name, input) -> {
            if (name.equals(failingName)) {
                throw new AwsUnavailableException("StartExecution " + name + ": Rate exceeded", null);
            }
            starts.add(new String[] {arn, name, input});
            return ExecutionStarter.Started.STARTED;
        };
        ExecutionLister lister = arn -> {
            if (listerFailure != null) {
                throw listerFailure;
            }
            return arn.equals(HANDOVER) ? List.copyOf(running) : List.of();
        };
        return new Reconciler(config, roles, aws, starter, lister, sim.clock().asClock(), HandoverState.Poll.defaults(),
                ReconcilePlanner.Bounds.defaults());
    }

    private List<String> members() {
        return sim.autoScaling().instancesOf(fs.value() + "-oss");
    }

    /** Brings both servers into service and makes the first the owner of oss01, serving. */
    private String servingOwner() {
        for (String i : members()) {
            sim.autoScaling().completeLifecycleAction(r -> r.autoScalingGroupName(fs.value() + "-oss")
                    .lifecycleHookName("lustre-ha-launch").instanceId(i).lifecycleActionResult("CONTINUE"));
        }
        String owner = members().get(0);
        Role claimed = store.claim(store.list(fs).get(0), owner, "launch-" + owner);
        store.transition(claimed.key(), owner, claimed.epoch(), RoleState.SERVING);
        return owner;
    }

    @Test
    void eachActionIsCarriedOutOnItsOwnAndTheHandoverInputHasNoToken() throws Exception {
        List<String> waiting = members();
        failingName = ExecutionNames.launch(waiting.stream().sorted().findFirst().orElseThrow(), sim.clock().now());
        Reconciler.Summary summary = reconciler(store).reconcile();

        assertEquals(List.of("FAILED", "STARTED"), summary.actions().stream().map(Reconciler.Outcome::result).toList(),
                "the first start failed, the second still ran: " + summary);
        assertEquals(1, summary.failures());
        assertTrue(summary.actions().get(0).detail().contains("Rate exceeded"));
        assertEquals(1, starts.size());
        assertEquals(HANDOVER, starts.get(0)[0]);
        HandoverState.Input in = Json.MAPPER.readValue(starts.get(0)[2], HandoverState.class).input();
        String second = waiting.stream().sorted().toList().get(1);
        assertEquals(new HandoverState.Input(fs.value(), second, "OSS", fs.value() + "-oss", "lustre-ha-launch", null,
                "autoscaling:EC2_INSTANCE_LAUNCHING", starts.get(0)[1], HandoverState.Poll.defaults()), in);
        assertTrue(summary.holds().contains(new ReconcilePlanner.Hold("oss01", ReconcilePlanner.HoldReason.NO_STANDBY)));
    }

    @Test
    void aDeadOwnersRoleIsOrphanedUnderItsEpochAndItsGroupAskedToReplaceIt() {
        String owner = servingOwner();
        long epoch = store.list(fs).get(0).epoch();
        sim.ec2().terminateInstances(r -> r.instanceIds(owner));
        Reconciler.Summary summary = reconciler(store).reconcile();

        assertEquals(List.of("REPLACING"), summary.actions().stream().map(Reconciler.Outcome::result).toList(),
                summary.toString());
        Role role = store.list(fs).get(0);
        assertEquals(RoleState.ORPHANED, role.state());
        assertEquals(epoch, role.epoch());
        assertTrue(sim.history().entries("AutoScaling.SetInstanceHealth").stream()
                .anyMatch(e -> owner.equals(e.get("instance")) && "Unhealthy".equals(e.get("health"))));
    }

    @Test
    void aRoleClaimedMeanwhileIsNotOrphanedAndItsOldOwnerNotReplaced() {
        String owner = servingOwner();
        sim.ec2().terminateInstances(r -> r.instanceIds(owner));
        // A claim lands between the reconciler's read and its write.
        RoleStore racing = (RoleStore) Proxy.newProxyInstance(RoleStore.class.getClassLoader(),
                new Class<?>[] {RoleStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("markOrphaned")) {
                        store.claim(store.list(fs).get(0), members().get(1), "launch-" + members().get(1));
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Reconciler.Summary summary = reconciler(racing).reconcile();

        assertEquals(List.of("MOVED_ON"), summary.actions().stream().map(Reconciler.Outcome::result).toList());
        assertEquals(RoleState.CLAIMED, store.list(fs).get(0).state());
        assertTrue(sim.history().entries("AutoScaling.SetInstanceHealth").isEmpty());
    }

    @Test
    void theStateChangeFailoverAsksTheGroupWhenTheFactsCannotBeGathered() {
        String owner = servingOwner();
        listerFailure = new AwsUnavailableException("ListExecutions: Rate exceeded", null);
        String said = reconciler(store).failOver(owner, List.of("oss01"));

        assertTrue(said.startsWith("reconcile failed (ListExecutions: Rate exceeded)"), said);
        assertTrue(said.endsWith("group asked to replace it"), said);
        assertEquals(1, sim.history().entries("AutoScaling.SetInstanceHealth").size());
    }

    @Test
    void theHandlerLogsTheRunAndEachStuckExecutionAndPrintsOneMetricLine() throws Exception {
        servingOwner(); // serving on paper only: its ENI and volume are attached nowhere, a drift to repair
        running.add(new ExecutionLister.Running("launch-i-0000000000000000a-0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e",
                sim.clock().now().minus(Duration.ofHours(2))));
        List<String> logged = new ArrayList<>();
        List<String> printed = new ArrayList<>();
        ReconcileHandler handler = new ReconcileHandler(reconciler(store), fs.value(), printed::add);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream("{\"source\":\"aws.scheduler\"}".getBytes()), out,
                context(logged));

        JsonNode answer = Json.MAPPER.readTree(out.toByteArray());
        assertEquals("ALARM", answer.path("actions").get(0).path("result").asText());
        assertEquals("Repair", answer.path("actions").get(1).path("action").asText());
        assertEquals("STARTED", answer.path("actions").get(1).path("result").asText());
        assertEquals(2, logged.size(), "the summary and the stuck execution: " + logged);
        JsonNode stuck = Json.MAPPER.readTree(logged.get(1));
        assertEquals("StuckExecution", stuck.path("alarm").asText());
        assertEquals("handover", stuck.path("workflow").asText());
        assertEquals(1, printed.size());
        JsonNode emf = Json.MAPPER.readTree(printed.get(0));
        JsonNode directive = emf.path("_aws").path("CloudWatchMetrics").get(0);
        assertEquals("LustreHA", directive.path("Namespace").asText());
        assertEquals("[[\"FileSystem\"]]", directive.path("Dimensions").toString());
        assertEquals(6, directive.path("Metrics").size());
        assertEquals(0, emf.path("RolesDamped").asInt(), "no role is held by flap damping");
        assertEquals(1, emf.path("RolesNotMounted").asInt(), "recorded SERVING, and no bootstrap reported its mount");
        assertEquals(sim.clock().now().toEpochMilli(), emf.path("_aws").path("Timestamp").asLong());
        assertEquals(fs.value(), emf.path("FileSystem").asText());
        assertEquals(1, emf.path("StuckExecutions").asInt());
        assertEquals(1, emf.path("ReconcileActions").asInt());
        assertEquals(0, emf.path("ReconcileFailures").asInt());
        long notServing = store.list(fs).stream().filter(r -> r.state() != RoleState.SERVING).count();
        assertEquals(notServing, emf.path("RolesNotServing").asLong(), "what the role-not-serving alarm watches");
        assertNull(answer.get("error"));
    }

    @Test
    void aServingRoleCountsAsNotMountedUntilItsBootstrapReportsTheMountAtItsEpoch() {
        String owner = servingOwner();
        Role role = store.list(fs).get(0);
        assertEquals(1, reconciler(store).reconcile().notMounted());
        ((dev.lustreha.roles.HealthStore) store).markMounted(role.key(), owner, role.epoch());
        assertEquals(0, reconciler(store).reconcile().notMounted(), "mounted at the role's epoch: served");
    }

    private static Context context(List<String> logged) {
        LambdaLogger logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                logged.add(message.strip());
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, java.nio.charset.StandardCharsets.UTF_8));
            }
        };
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return "00000000-0000-0000-0000-000000000000";
            }

            @Override
            public String getLogGroupName() {
                return "/aws/lambda/reconciler";
            }

            @Override
            public String getLogStreamName() {
                return "local";
            }

            @Override
            public String getFunctionName() {
                return "ReconcilerFunction";
            }

            @Override
            public String getFunctionVersion() {
                return "$LATEST";
            }

            @Override
            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:us-east-1:000000000000:function:ReconcilerFunction";
            }

            @Override
            public CognitoIdentity getIdentity() {
                return null;
            }

            @Override
            public ClientContext getClientContext() {
                return null;
            }

            @Override
            public int getRemainingTimeInMillis() {
                return 60_000;
            }

            @Override
            public int getMemoryLimitInMB() {
                return 1024;
            }

            @Override
            public LambdaLogger getLogger() {
                return logger;
            }
        };
    }
}
