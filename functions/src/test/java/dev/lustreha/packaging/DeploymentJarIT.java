package dev.lustreha.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lustreha.local.Repository;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The deployment jar that {@code sam build} packages (target/lustre-ha-functions-lambda.jar, shrunk
 * by ProGuard) runs every handler. The handlers run in a separate JVM whose class path is that jar
 * and {@link JarHarness} alone, built as in Lambda (public constructors, {@code Production}'s real
 * clients, endpoints from {@code AWS_ENDPOINT_URL_*}), against moto_server (EC2, Auto Scaling, Step
 * Functions, CloudWatch) and DynamoDB Local. One scenario drives a pool's creation and update, two handovers
 * (the second, by a standby, fences, detaches and moves a role), a compensation, the reconciler, a
 * state change and a release, so every AWS operation the functions make is sent, and answered, at least once: a
 * class that shrinking removed by mistake fails a call here (NoClassDefFoundError, a missing
 * interceptor, an enum without values()). Each endpoint sits behind a recorder, which checks that
 * list of operations; moto has no CompleteLifecycleAction and RecordLifecycleActionHeartbeat, so the
 * recorder answers those two itself, as Auto Scaling does.
 */
class DeploymentJarIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FS = "scratch";
    private static final String OSS_GROUP = "scratch-oss";
    private static final String LAUNCH_HOOK = "lustre-ha-launch";
    private static final String TERMINATE_HOOK = "lustre-ha-terminate";

    /** Every AWS operation the functions call (Ec2Gateway, DynamoRoleStore, DynamoHandoverHistory, Sfn*). */
    private static final Set<String> OPERATIONS = new TreeSet<>(List.of(
            "ec2:AttachNetworkInterface", "ec2:AttachVolume", "ec2:CreateNetworkInterface", "ec2:CreateTags",
            "ec2:CreateVolume", "ec2:DeleteNetworkInterface", "ec2:DeleteTags", "ec2:DeleteVolume",
            "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeVolumes",
            "ec2:DetachNetworkInterface", "ec2:DetachVolume", "ec2:StopInstances",
            "autoscaling:CompleteLifecycleAction", "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeAutoScalingInstances", "autoscaling:RecordLifecycleActionHeartbeat",
            "autoscaling:SetInstanceHealth",
            "sfn:ListExecutions", "sfn:StartExecution",
            "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
            "cloudwatch:SetAlarmState",
            "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"));

    private static Path jar;
    private static Process moto;
    private static DynamoDbLocal dynamo;
    private static final List<Recorder> recorders = new ArrayList<>();
    private static HttpServer cloudFormation;
    private static final BlockingQueue<String> cloudFormationAnswers = new LinkedBlockingQueue<>();
    private static Process harness;
    private static BufferedWriter toHarness;
    private static BufferedReader fromHarness;
    private static Path harnessLog;
    private static Ec2Client ec2;
    private static AutoScalingClient autoScaling;
    private static SfnClient sfn;
    private static String handoverArn;
    private static String releaseArn;
    private static Subnet subnet;
    private static String securityGroup;

    @BeforeAll
    static void start() throws Exception {
        jar = Path.of(System.getProperty("lambda.jar", "target/lustre-ha-functions-lambda.jar"));
        if (!Files.isRegularFile(jar)) {
            fail("no deployment jar at " + jar.toAbsolutePath() + ": `mvn package` makes it (not with -Dproguard.skip)");
        }
        Path target = Path.of(System.getProperty("user.dir"), "target");
        Files.createDirectories(target);
        moto = startMoto(target.resolve("moto_server-deployment-jar.log"));
        dynamo = DynamoDbLocal.startWithTables(Repository.file("template.yaml"), false);
        URI motoEndpoint = URI.create("http://127.0.0.1:" + motoPort);
        Recorder ec2Endpoint = new Recorder("ec2", motoEndpoint, Map.of());
        Recorder autoScalingEndpoint = new Recorder("autoscaling", motoEndpoint, Map.of(
                "CompleteLifecycleAction", queryAnswer("CompleteLifecycleAction"),
                "RecordLifecycleActionHeartbeat", queryAnswer("RecordLifecycleActionHeartbeat")));
        Recorder sfnEndpoint = new Recorder("sfn", motoEndpoint, Map.of());
        Recorder cloudWatchEndpoint = new Recorder("cloudwatch", motoEndpoint, Map.of());
        Recorder dynamoEndpoint = new Recorder("dynamodb", dynamo.endpoint(), Map.of());
        recorders.addAll(List.of(ec2Endpoint, autoScalingEndpoint, sfnEndpoint, cloudWatchEndpoint, dynamoEndpoint));

        cloudFormation = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cloudFormation.createContext("/", exchange -> {
            cloudFormationAnswers.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloudFormation.start();

        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        var http = UrlConnectionHttpClient.builder().build();
        ec2 = Ec2Client.builder().endpointOverride(motoEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(http).build();
        autoScaling = AutoScalingClient.builder().endpointOverride(motoEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(http).build();
        sfn = SfnClient.builder().endpointOverride(motoEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(http).build();
        world();

        harnessLog = target.resolve("deployment-jar-harness.log");
        harness = startHarness(target, Map.of(
                "AWS_ENDPOINT_URL_EC2", ec2Endpoint.endpoint(),
                "AWS_ENDPOINT_URL_AUTO_SCALING", autoScalingEndpoint.endpoint(),
                "AWS_ENDPOINT_URL_SFN", sfnEndpoint.endpoint(),
                "AWS_ENDPOINT_URL_CLOUDWATCH", cloudWatchEndpoint.endpoint(),
                "AWS_ENDPOINT_URL_DYNAMODB", dynamoEndpoint.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            toHarness.close();
            if (!harness.waitFor(10, TimeUnit.SECONDS)) {
                harness.destroyForcibly();
            }
        }
        recorders.forEach(Recorder::close);
        if (cloudFormation != null) {
            cloudFormation.stop(0);
        }
        Stream.of(ec2, autoScaling, sfn).filter(c -> c != null).forEach(c -> c.close());
        if (dynamo != null) {
            dynamo.close();
        }
        if (moto != null) {
            moto.descendants().forEach(ProcessHandle::destroy);
            moto.destroy();
            if (!moto.waitFor(10, TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        }
    }

    @Test
    void everyHandlerRunsFromTheDeploymentJarAlone() throws Exception {
        // The pool: two OSS roles, then one (the update deletes the vacant role and its resources).
        JsonNode created = pool("Create", 2, null);
        assertEquals("SUCCESS", created.path("Status").asText(), created.toString());
        assertTrue(created.path("Data").path("MgsNid").asText().endsWith("@tcp"), created.toString());
        JsonNode updated = pool("Update", 1, 2);
        assertEquals("SUCCESS", updated.path("Status").asText(), updated.toString());

        List<String> members = autoScaling.describeAutoScalingGroups(r -> r.autoScalingGroupNames(OSS_GROUP))
                .autoScalingGroups().get(0).instances().stream()
                .map(software.amazon.awssdk.services.autoscaling.model.Instance::instanceId).sorted().toList();
        String first = members.get(0);
        String second = members.get(1);

        // The first server takes the OSS role.
        JsonNode firstHandover = handover(first);
        assertEquals("CLAIMED", firstHandover.path("claim").path("outcome").asText(), firstHandover.toString());
        String role = firstHandover.path("claim").path("roleId").asText();
        String eni = firstHandover.path("claim").path("eniId").asText();
        assertEquals(first, attachedTo(eni), "the role's ENI is on the first server");

        // The second server's first handover fails before its claim: it stays in service as a standby.
        ObjectNode failed = startedState(second, true);
        failed.set("error", JSON.valueToTree(Map.of("Error", "dev.lustreha.errors.AwsApiException", "Cause", "test")));
        JsonNode compensated = call("dev.lustreha.steps.CompensateHandler", JSON.writeValueAsString(failed));
        assertEquals("FAILED", compensated.path("outcome").asText(), compensated.toString());

        // The group gives up on the first server while it still runs: the standby fences it and takes the role.
        autoScaling.setInstanceHealth(r -> r.instanceId(first).healthStatus("Unhealthy"));
        JsonNode secondHandover = handover(second);
        assertTrue(secondHandover.path("claim").path("wasStandby").asBoolean(), secondHandover.toString());
        assertEquals(role, secondHandover.path("claim").path("roleId").asText(), secondHandover.toString());
        assertEquals(first, secondHandover.path("claim").path("previousOwner").asText(), secondHandover.toString());
        assertEquals("stopped", ec2.describeInstances(r -> r.instanceIds(first)).reservations().get(0).instances()
                .get(0).state().nameAsString(), "the first server was fenced");
        assertEquals(second, attachedTo(eni), "the role's ENI moved to the second server");

        JsonNode reconciled = call("dev.lustreha.reconcile.ReconcileHandler", "{}");
        assertTrue(reconciled.has("actions"), reconciled.toString());

        // The role's health alarm fires on data from before its new owner mounted (the bootstrap reports
        // the mount a minute from now): the health trigger leaves the role and re-arms the alarm.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (DynamoDbClient tables = dynamo.newClient()) {
            tables.updateItem(r -> r.tableName("RolesTable")
                    .key(Map.of("fileSystem", AttributeValue.fromS(FS), "roleId", AttributeValue.fromS(role)))
                    .updateExpression("SET mountedEpoch = :e, mountedAt = :t")
                    .expressionAttributeValues(Map.of(":e", AttributeValue.fromN(
                            secondHandover.path("claim").path("epoch").asText()),
                            ":t", AttributeValue.fromS(now.plusSeconds(60).toString()))));
        }
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
                .withZone(java.time.ZoneOffset.UTC).format(now.minusSeconds(30));
        JsonNode health = call("dev.lustreha.trigger.HealthTriggerHandler", JSON.writeValueAsString(Map.of(
                "source", "aws.cloudwatch", "detail-type", "CloudWatch Alarm State Change",
                "detail", Map.of("alarmName", "lustre-ha-" + FS + "-" + role + "-health",
                        "state", Map.of("value", "ALARM", "reasonData", JSON.writeValueAsString(Map.of(
                                "startDate", stamp, "period", 10)))))));
        assertEquals("NOOP", health.path("action").asText(), health.toString());
        assertTrue(health.path("reason").asText().contains("re-armed"), health.toString());

        // The second server stops: its role is orphaned and failed over (its group asked to replace it).
        ec2.stopInstances(r -> r.instanceIds(second));
        JsonNode orphaned = call("dev.lustreha.trigger.StateChangeTriggerHandler", JSON.writeValueAsString(Map.of(
                "source", "aws.ec2", "detail-type", "EC2 Instance State-change Notification",
                "detail", Map.of("instance-id", second, "state", "stopped"))));
        assertEquals("ORPHANED", orphaned.path("action").asText(), orphaned.toString());

        // The first server is terminated: the release workflow's step completes its action.
        JsonNode released = call("dev.lustreha.steps.ReleaseHandler", JSON.writeValueAsString(
                startedState(first, false)));
        assertEquals("RELEASED", released.path("outcome").asText(), released.toString());

        Set<String> sent = new TreeSet<>();
        recorders.forEach(r -> sent.addAll(r.operations));
        Set<String> missing = new TreeSet<>(OPERATIONS);
        missing.removeAll(sent);
        assertTrue(missing.isEmpty(), "operations no handler sent: " + missing + " (sent: " + sent + ")");
        Set<String> failedCalls = new TreeSet<>();
        recorders.forEach(r -> failedCalls.addAll(r.failures));
        System.out.println("DeploymentJarIT: operations sent from the deployment jar: " + sent
                + "; answered with an error: " + failedCalls);
    }

    // ---------------------------------------------------------------- scenario steps

    /** The pool custom resource; returns what the handler answered CloudFormation. */
    private static JsonNode pool(String requestType, int ossCount, Integer previousOssCount) throws Exception {
        Map<String, Object> event = new java.util.LinkedHashMap<>(Map.of(
                "RequestType", requestType,
                "ServiceToken", "arn:aws:lambda:us-east-1:123456789012:function:pool",
                "ResponseURL", "http://127.0.0.1:" + cloudFormation.getAddress().getPort() + "/" + requestType,
                "StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/lustre/1",
                "RequestId", UUID.randomUUID().toString(),
                "LogicalResourceId", "Pool",
                "ResourceType", "Custom::LustrePool",
                "ResourceProperties", poolProperties(ossCount)));
        if (previousOssCount != null) {
            event.put("PhysicalResourceId", "lustre-ha-pool-" + FS);
            event.put("OldResourceProperties", poolProperties(previousOssCount));
        }
        call("dev.lustreha.pools.PoolProvisionerHandler", JSON.writeValueAsString(event));
        String answer = cloudFormationAnswers.poll(30, TimeUnit.SECONDS);
        assertNotNull(answer, "the pool provisioner did not answer CloudFormation");
        return JSON.readTree(answer);
    }

    private static Map<String, Object> poolProperties(int ossCount) {
        return Map.ofEntries(Map.entry("FileSystemName", FS), Map.entry("SubnetId", subnet.subnetId()),
                Map.entry("SecurityGroupIds", List.of(securityGroup)), Map.entry("MdsCount", "1"),
                Map.entry("OssCount", Integer.toString(ossCount)), Map.entry("VolumesPerOss", "1"),
                Map.entry("MgtVolumeSize", "1"), Map.entry("MdtVolumeSize", "1"), Map.entry("OstVolumeSize", "1"),
                Map.entry("VolumeType", "gp3"), Map.entry("VolumeIops", "3000"), Map.entry("VolumeThroughput", "125"),
                Map.entry("StandbyCount", "0"), Map.entry("DeleteDataOnStackDelete", "true"));
    }

    /**
     * A launch lifecycle event through the trigger, then the handover workflow's steps in the state
     * machine's order, each with the previous step's output, polling steps again until done.
     */
    private static JsonNode handover(String instanceId) throws Exception {
        ObjectNode state = startedState(instanceId, true);
        state = step("ClaimHandler", state);
        if (!"CLAIMED".equals(state.path("claim").path("outcome").asText())) {
            return step("CompleteHandler", state);
        }
        state = until("FenceHandler", state, "fence", "fenced");
        state = until("DetachHandler", state, "detach", "done");
        state = until("AttachHandler", state, "attach", "done");
        state = step("RecordHandler", state);
        return step("CompleteHandler", state);
    }

    /**
     * Sends the instance's lifecycle event (launch or terminate) to the trigger and returns the
     * input of the execution it started in Step Functions, with heartbeats due at every step.
     */
    private static ObjectNode startedState(String instanceId, boolean launch) throws Exception {
        String token = UUID.randomUUID().toString();
        JsonNode started = call("dev.lustreha.trigger.LifecycleTriggerHandler", JSON.writeValueAsString(Map.of(
                "source", "aws.autoscaling",
                "detail-type", launch ? "EC2 Instance-launch Lifecycle Action" : "EC2 Instance-terminate Lifecycle Action",
                "detail", Map.of("LifecycleActionToken", token, "AutoScalingGroupName", OSS_GROUP,
                        "LifecycleHookName", launch ? LAUNCH_HOOK : TERMINATE_HOOK, "EC2InstanceId", instanceId,
                        "LifecycleTransition", launch ? "autoscaling:EC2_INSTANCE_LAUNCHING"
                                : "autoscaling:EC2_INSTANCE_TERMINATING"))));
        assertEquals("STARTED", started.path("action").asText(), started.toString());
        String name = started.path("execution").asText();
        String arn = launch ? handoverArn : releaseArn;
        String executionArn = sfn.listExecutions(r -> r.stateMachineArn(arn)).executions().stream()
                .filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no execution " + name + " in Step Functions")).executionArn();
        ObjectNode input = (ObjectNode) JSON.readTree(sfn.describeExecution(r -> r.executionArn(executionArn)).input());
        // This test runs the workflow's steps itself; moto's execution would stay RUNNING and the
        // reconciler would hold the instance's roles as in flight.
        sfn.stopExecution(r -> r.executionArn(executionArn));
        ((ObjectNode) input.path("input").path("poll")).put("heartbeatSeconds", 0);
        return input;
    }

    private static ObjectNode step(String handler, ObjectNode state) throws Exception {
        return (ObjectNode) call("dev.lustreha.steps." + handler, JSON.writeValueAsString(state));
    }

    private static ObjectNode until(String handler, ObjectNode state, String part, String flag) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            state = step(handler, state);
            if (state.path(part).path(flag).asBoolean()) {
                return state;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(handler + " not done after 20 polls: " + state);
    }

    private static String attachedTo(String eniId) {
        var attachment = ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(eniId)).networkInterfaces().get(0)
                .attachment();
        return attachment == null ? null : attachment.instanceId();
    }

    // ---------------------------------------------------------------- the harness JVM

    private static JsonNode call(String handlerClass, String event) throws IOException {
        toHarness.write(handlerClass + "\t" + event + "\n");
        toHarness.flush();
        String answer = fromHarness.readLine();
        if (answer == null) {
            fail("the harness JVM ended; its log (" + harnessLog + "):\n" + tail(harnessLog));
        }
        String[] parts = answer.split("\t", 3);
        if (!parts[0].equals("OK")) {
            fail(handlerClass + " failed in the deployment jar: " + parts[1] + ": " + (parts.length > 2 ? parts[2] : "")
                    + "\nharness log (" + harnessLog + "):\n" + tail(harnessLog));
        }
        return parts[1].isBlank() ? JSON.nullNode() : JSON.readTree(parts[1]);
    }

    /** A JVM with the deployment jar and the harness's own class files on its class path, nothing else. */
    private static Process startHarness(Path target, Map<String, String> endpoints) throws Exception {
        Path classes = Files.createTempDirectory(target, "jar-harness");
        Path from = Path.of(JarHarness.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path pkg = Path.of(JarHarness.class.getPackageName().replace('.', '/'));
        Files.createDirectories(classes.resolve(pkg));
        try (Stream<Path> files = Files.list(from.resolve(pkg))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("JarHarness")).toList()) {
                Files.copy(f, classes.resolve(pkg).resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-cp", jar.toAbsolutePath() + File.pathSeparator + classes,
                JarHarness.class.getName())
                .redirectError(harnessLog.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(endpoints);
        env.putAll(Map.of(
                "AWS_REGION", "us-east-1",
                // DynamoDB Local keeps one database per access key: DynamoDbLocal made the tables as "local".
                "AWS_ACCESS_KEY_ID", "local",
                "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_CONFIG_FILE", target.resolve("no-aws-config").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", target.resolve("no-aws-config").toString()));
        env.putAll(Map.of(
                "FILE_SYSTEM_NAME", FS,
                "ROLES_TABLE", "RolesTable",
                "RESOURCES_TABLE", "ResourcesTable",
                "HISTORY_TABLE", "HistoryTable",
                "ROLE_GROUPS", "MGS=scratch-mgs;MDS=scratch-mds;OSS=" + OSS_GROUP,
                "LAUNCH_HOOK_NAME", LAUNCH_HOOK,
                "TERMINATE_HOOK_NAME", TERMINATE_HOOK,
                "HANDOVER_STATE_MACHINE_ARN", handoverArn,
                "RELEASE_STATE_MACHINE_ARN", releaseArn));
        Process p = pb.start();
        toHarness = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
        fromHarness = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return p;
    }

    // ---------------------------------------------------------------- moto and its world

    private static int motoPort;

    /** moto_server from the repository's .venv, on 127.0.0.1, with no way out (dummy credentials, dead proxies). */
    private static Process startMoto(Path log) throws Exception {
        Path exe = Repository.root().resolve(".venv/bin/moto_server");
        if (!Files.isExecutable(exe)) {
            fail("moto_server not found at " + exe + ": scripts/toolchain.sh creates .venv (./lustre-ha test does)");
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            motoPort = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "-H", "127.0.0.1", "-p", Integer.toString(motoPort))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.toLowerCase().endsWith("_proxy"));
        pb.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_DEFAULT_REGION", "us-east-1", "HTTP_PROXY", "http://127.0.0.1:9", "HTTPS_PROXY",
                "http://127.0.0.1:9", "NO_PROXY", "127.0.0.1,localhost"));
        Process p = pb.start();
        HttpClient probe = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("moto_server exited before answering:\n" + tail(log));
            }
            try {
                if (probe.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + motoPort + "/moto-api/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        fail("moto_server did not answer within 90 s:\n" + tail(log));
        return p;
    }

    /** The default VPC's subnet, an Auto Scaling group of two OSS servers in it, the two state machines. */
    private static void world() {
        subnet = ec2.describeSubnets(r -> r.filters(Filter.builder().name("default-for-az").values("true").build()))
                .subnets().get(0);
        securityGroup = ec2.describeSecurityGroups(r -> r.filters(
                        Filter.builder().name("group-name").values("default").build(),
                        Filter.builder().name("vpc-id").values(subnet.vpcId()).build()))
                .securityGroups().get(0).groupId();
        String image = ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
        ec2.createLaunchTemplate(r -> r.launchTemplateName("lustre-oss")
                .launchTemplateData(d -> d.imageId(image).instanceType("m7i.large")));
        autoScaling.createAutoScalingGroup(r -> r.autoScalingGroupName(OSS_GROUP)
                .launchTemplate(t -> t.launchTemplateName("lustre-oss").version("$Latest"))
                .minSize(0).maxSize(4).desiredCapacity(2).vpcZoneIdentifier(subnet.subnetId()));
        String definition = "{\"StartAt\":\"Step\",\"States\":{\"Step\":{\"Type\":\"Pass\",\"End\":true}}}";
        handoverArn = sfn.createStateMachine(r -> r.name(FS + "-handover").definition(definition)
                .roleArn("arn:aws:iam::123456789012:role/lustre-ha-workflows")).stateMachineArn();
        releaseArn = sfn.createStateMachine(r -> r.name(FS + "-release").definition(definition)
                .roleArn("arn:aws:iam::123456789012:role/lustre-ha-workflows")).stateMachineArn();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** An Auto Scaling query-protocol answer with no result fields, as AWS sends for these two actions. */
    private static String queryAnswer(String action) {
        return "<" + action + "Response xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><" + action
                + "Result/><ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></"
                + action + "Response>";
    }

    /**
     * An endpoint on 127.0.0.1 that records the operation of every request (X-Amz-Target for the JSON
     * protocols, Action for the query protocols) and forwards it to the real server, or answers it
     * itself for the actions in {@code answers}.
     */
    private static final class Recorder implements AutoCloseable {

        private static final Set<String> UNFORWARDED = Set.of("connection", "content-length", "expect", "host",
                "upgrade", "transfer-encoding");

        final Set<String> operations = new ConcurrentSkipListSet<>();
        final Set<String> failures = new ConcurrentSkipListSet<>();
        private final String service;
        private final URI upstream;
        private final Map<String, String> answers;
        private final HttpServer server;
        private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .version(HttpClient.Version.HTTP_1_1).build();

        Recorder(String service, URI upstream, Map<String, String> answers) throws IOException {
            this.service = service;
            this.upstream = upstream;
            this.answers = answers;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String operation = operation(exchange, body);
                operations.add(service + ":" + operation);
                String answer = answers.get(operation);
                if (answer != null) {
                    byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "text/xml");
                    exchange.sendResponseHeaders(200, bytes.length);
                    exchange.getResponseBody().write(bytes);
                    return;
                }
                HttpRequest.Builder forward = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
                exchange.getRequestHeaders().forEach((name, values) -> {
                    if (!UNFORWARDED.contains(name.toLowerCase())) {
                        values.forEach(v -> forward.header(name, v));
                    }
                });
                HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() >= 400) {
                    failures.add(service + ":" + operation + "=" + response.statusCode());
                }
                response.headers().map().forEach((name, values) -> {
                    if (!UNFORWARDED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                        values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                    }
                });
                exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
                exchange.getResponseBody().write(response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        private static String operation(HttpExchange exchange, byte[] body) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (target != null) {
                return target.substring(target.lastIndexOf('.') + 1);
            }
            return Arrays.stream(new String(body, StandardCharsets.UTF_8).split("&"))
                    .filter(p -> p.startsWith("Action="))
                    .map(p -> URLDecoder.decode(p.substring("Action=".length()), StandardCharsets.UTF_8))
                    .findFirst().orElse("(none)");
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
