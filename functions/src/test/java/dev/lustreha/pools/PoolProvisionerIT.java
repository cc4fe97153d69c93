package dev.lustreha.pools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.errors.BadInputException;
import dev.lustreha.errors.AwsUnavailableException;
import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.local.Repository;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import dev.lustreha.roles.DynamoRoleStore;
import dev.lustreha.roles.RoleStore;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.model.Filter;

/** The pool provisioner on the simulated EC2 and DynamoDB Local. */
class PoolProvisionerIT {

    private static DynamoDbLocal local;
    private static DynamoDbClient dynamo;
    private static int fileSystems;

    private SimCloud cloud;
    private String subnet;
    private RoleStore store;
    private PoolProvisioner provisioner;
    private FileSystemName fs;

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

    @BeforeEach
    void freshCloud() {
        cloud = SimCloud.create(7, Latency.zero());
        subnet = cloud.ec2().addSubnet("us-east-1a", "10.0.1.");
        store = new DynamoRoleStore(dynamo, "RolesTable", "ResourcesTable", cloud.clock().asClock());
        provisioner = new PoolProvisioner(new Ec2Gateway(cloud.ec2(), cloud.autoScaling()), store, cloud.clock().asClock());
        fs = new FileSystemName("pool" + ++fileSystems);
    }

    private PoolSpec spec(int mds, int oss, boolean deleteData) {
        PoolSpec.VolumeSpec small = new PoolSpec.VolumeSpec(8, "gp3", 3000, 250);
        return new PoolSpec(fs, subnet, List.of("sg-0123456789abcdef0"), mds, oss, 2, small, small,
                new PoolSpec.VolumeSpec(64, "gp3", 6000, 500), deleteData);
    }

    private List<software.amazon.awssdk.services.ec2.model.Volume> volumesOf(FileSystemName f) {
        return cloud.ec2().describeVolumes(r -> r.filters(Filter.builder().name("tag:" + Tags.FILE_SYSTEM)
                .values(f.value()).build())).volumes();
    }

    private int enisOf(FileSystemName f) {
        return cloud.ec2().describeNetworkInterfaces(r -> r.filters(Filter.builder().name("tag:" + Tags.FILE_SYSTEM)
                .values(f.value()).build())).networkInterfaces().size();
    }

    @Test
    void createMakesEveryRoleWithItsEncryptedTaggedVolumesAndEni() {
        PoolProvisioner.Result result = provisioner.ensure(spec(1, 3, false), "stack-1");

        assertEquals(5, result.roles());
        List<Role> roles = store.list(fs);
        assertEquals(List.of("mgs", "mds01", "oss01", "oss02", "oss03"), roles.stream().map(r -> r.id().value()).toList());
        assertTrue(roles.stream().allMatch(r -> r.state() == RoleState.VACANT && r.needsFormat() && r.epoch() == 0));
        RoleResources mgs = store.resources(new RoleKey(fs, dev.lustreha.domain.RoleId.parse("mgs"))).orElseThrow();
        assertEquals(mgs.network().privateIp() + "@tcp", result.mgsNid());
        RoleResources oss03 = store.resources(RoleKey.of(fs.value(), "oss03")).orElseThrow();
        assertEquals(List.of(fs + "-OST0004", fs + "-OST0005"), oss03.volumes().stream().map(Volume::targetLabel).toList());
        assertEquals(List.of("/dev/sdf", "/dev/sdg"), oss03.volumes().stream().map(Volume::device).toList());
        List<software.amazon.awssdk.services.ec2.model.Volume> volumes = volumesOf(fs);
        assertEquals(1 + 1 + 3 * 2, volumes.size());
        assertTrue(volumes.stream().allMatch(v -> Boolean.TRUE.equals(v.encrypted())), "every volume encrypted");
        assertTrue(volumes.stream().allMatch(v -> v.availabilityZone().equals("us-east-1a")));
        assertTrue(volumes.stream().allMatch(v -> v.tags().stream().anyMatch(t -> t.key().equals(Tags.TARGET))));
        assertEquals(5, enisOf(fs));
    }

    @Test
    void theCoLocatedLayoutPutsTheMgtOnMds01AndHasNoMgsRole() {
        PoolSpec.VolumeSpec mgt = new PoolSpec.VolumeSpec(1, "gp3", 3000, 125);
        PoolSpec.VolumeSpec mdt = new PoolSpec.VolumeSpec(16, "gp3", 3000, 125);
        PoolSpec spec = new PoolSpec(fs, subnet, List.of("sg-0123456789abcdef0"), 2, 1, 2, mgt, mdt,
                new PoolSpec.VolumeSpec(64, "gp3", 3000, 125), false, HealthAlarmSpec.DEFAULT, true);
        PoolProvisioner.Result result = provisioner.ensure(spec, "stack-1");

        assertEquals(List.of("mds01", "mds02", "oss01"), store.list(fs).stream().map(r -> r.id().value()).toList());
        assertEquals(3, result.roles());
        assertEquals("mds01", result.mgsRole());
        RoleResources mds01 = store.resources(RoleKey.of(fs.value(), "mds01")).orElseThrow();
        assertEquals(mds01.network().privateIp() + "@tcp", result.mgsNid(), "clients mount mds01's NID");
        assertEquals(List.of("MGS", fs + "-MDT0000"), mds01.volumes().stream().map(Volume::targetLabel).toList());
        assertEquals(List.of("/dev/sdf", "/dev/sdg"), mds01.volumes().stream().map(Volume::device).toList());
        RoleResources mds02 = store.resources(RoleKey.of(fs.value(), "mds02")).orElseThrow();
        assertEquals(List.of(fs + "-MDT0001"), mds02.volumes().stream().map(Volume::targetLabel).toList());
        Map<String, Integer> sizeByLabel = new HashMap<>();
        for (software.amazon.awssdk.services.ec2.model.Volume v : volumesOf(fs)) {
            String label = v.tags().stream().filter(t -> t.key().equals(Tags.TARGET)).findFirst().orElseThrow().value();
            sizeByLabel.put(label, v.size());
        }
        assertEquals(1, sizeByLabel.get("MGS"), "the MGT keeps the MGT size on the MDS server");
        assertEquals(16, sizeByLabel.get(fs + "-MDT0000"));
        assertEquals(3, enisOf(fs), "no MGS ENI");
        // Idempotent, and the layout is fixed once made.
        assertEquals(result, provisioner.ensure(spec, "stack-1"));
        assertEquals(5, volumesOf(fs).size());
        PoolSpec separate = new PoolSpec(fs, subnet, List.of("sg-0123456789abcdef0"), 2, 1, 2, mgt, mdt,
                new PoolSpec.VolumeSpec(64, "gp3", 3000, 125), false, HealthAlarmSpec.DEFAULT, false);
        assertThrows(BadInputException.class, () -> provisioner.update(spec, separate, "stack-1"));
    }

    @Test
    void withAVolumeKeyEveryVolumeIsEncryptedWithThatKey() {
        // The stack's VolumeKmsKeyArn reaches CreateVolume as KmsKeyId (template.yaml, Pool).
        String key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        PoolSpec.VolumeSpec keyed = new PoolSpec.VolumeSpec(8, "gp3", 3000, 250, key);
        provisioner.ensure(new PoolSpec(fs, subnet, List.of("sg-0123456789abcdef0"), 1, 2, 2, keyed, keyed, keyed, false),
                "stack-1");
        List<software.amazon.awssdk.services.ec2.model.Volume> volumes = volumesOf(fs);
        assertEquals(1 + 1 + 2 * 2, volumes.size());
        assertTrue(volumes.stream().allMatch(v -> Boolean.TRUE.equals(v.encrypted()) && key.equals(v.kmsKeyId())),
                "every volume encrypted with the given key");
    }

    @Test
    void anEmptyVolumeKeyMeansTheAwsManagedKey() {
        assertEquals(null, new PoolSpec.VolumeSpec(8, "gp3", 3000, 250, "").kmsKeyId());
        provisioner.ensure(spec(1, 1, false), "stack-1");
        assertTrue(volumesOf(fs).stream().allMatch(v -> v.kmsKeyId() == null && Boolean.TRUE.equals(v.encrypted())));
    }

    @Test
    void aRetryAfterAPartialFailureFinishesWithoutDuplicates() {
        // The first attempt is throttled part way through (after some ENIs and volumes exist).
        cloud.faults().throttle(cloud.clock().now().plusMillis(1), cloud.clock().now().plusSeconds(60), 1.0);
        cloud.clock().advance(Duration.ofMillis(1));
        assertThrows(AwsUnavailableException.class, () -> provisioner.ensure(spec(1, 4, false), "stack-1"));
        cloud.clock().advance(Duration.ofSeconds(61));
        provisioner.ensure(spec(1, 4, false), "stack-1");
        provisioner.ensure(spec(1, 4, false), "stack-1");

        assertEquals(1 + 1 + 4 * 2, volumesOf(fs).size(), "no duplicate volume");
        assertEquals(6, enisOf(fs), "no duplicate ENI");
        assertEquals(6, store.list(fs).size());
    }

    @Test
    void aRetryWhoseFirstCallsWereLostFindsThemByTag() {
        PoolSpec spec = spec(1, 2, false);
        provisioner.ensure(spec, "stack-1");
        // A retry under another token (say the stack's custom resource was replaced) still finds everything.
        provisioner.ensure(spec, "stack-2");
        assertEquals(1 + 1 + 2 * 2, volumesOf(fs).size());
        assertEquals(4, enisOf(fs));
    }

    @Test
    void anUpdateGrowsThePoolAndLeavesExistingRolesAlone() {
        provisioner.ensure(spec(1, 2, false), "stack-1");
        Role oss01 = store.claim(store.load(RoleKey.of(fs.value(), "oss01")).orElseThrow(), "i-0000000000000000a", "e");
        RoleResources before = store.resources(RoleKey.of(fs.value(), "oss02")).orElseThrow();

        provisioner.update(spec(1, 2, false), spec(1, 4, false), "stack-1");

        assertEquals(List.of("mgs", "mds01", "oss01", "oss02", "oss03", "oss04"),
                store.list(fs).stream().map(r -> r.id().value()).toList());
        assertEquals(oss01, store.load(oss01.key()).orElseThrow(), "a claimed role is untouched");
        assertEquals(before, store.resources(before.role()).orElseThrow());
        assertEquals(fs + "-OST0006", store.resources(RoleKey.of(fs.value(), "oss04")).orElseThrow().volumes().get(0)
                .targetLabel(), "new OSTs continue the index");
    }

    @Test
    void shrinkingIsRefusedWhileARemovedRoleWasEverClaimed() {
        provisioner.ensure(spec(1, 3, false), "stack-1");
        store.claim(store.load(RoleKey.of(fs.value(), "oss03")).orElseThrow(), "i-0000000000000000a", "e");
        int volumes = volumesOf(fs).size();

        BadInputException refused = assertThrows(BadInputException.class,
                () -> provisioner.update(spec(1, 3, false), spec(1, 2, false), "stack-1"));
        assertTrue(refused.getMessage().contains("oss03"), refused.getMessage());
        assertEquals(5, store.list(fs).size(), "nothing removed");
        assertEquals(volumes, volumesOf(fs).size());
    }

    @Test
    void shrinkingRemovesVacantRolesAndTheirUnusedResources() {
        provisioner.ensure(spec(1, 3, false), "stack-1");
        cloud.clock().advance(Duration.ofSeconds(10)); // new volumes are "creating" for a moment
        provisioner.update(spec(1, 3, false), spec(1, 2, false), "stack-1");
        cloud.clock().advance(Duration.ofSeconds(10));
        assertEquals(List.of("mgs", "mds01", "oss01", "oss02"), store.list(fs).stream().map(r -> r.id().value()).toList());
        assertEquals(1 + 1 + 2 * 2, volumesOf(fs).size());
        assertEquals(4, enisOf(fs));
    }

    @Test
    void changingTheFileSystemOrItsVolumesPerOssIsRefused() {
        PoolSpec base = spec(1, 2, false);
        provisioner.ensure(base, "stack-1");
        PoolSpec moreVolumes = new PoolSpec(fs, subnet, List.of("sg-0123456789abcdef0"), 1, 2, 3, base.mgt(), base.mdt(),
                base.ost(), false);
        assertThrows(BadInputException.class, () -> provisioner.update(base, moreVolumes, "stack-1"));
    }

    @Test
    void deleteKeepsEverythingByDefault() {
        PoolSpec spec = spec(1, 2, false);
        provisioner.ensure(spec, "stack-1");
        provisioner.delete(spec);
        cloud.clock().advance(Duration.ofSeconds(10));
        assertEquals(6, volumesOf(fs).size());
        assertEquals(4, enisOf(fs));
        assertEquals(4, store.list(fs).size());
        assertEquals(List.of(), cloud.history().entries("Ec2.DeleteVolume"));
    }

    @Test
    void deleteRemovesVolumesAndEnisWhenTold() {
        PoolSpec spec = spec(1, 2, true);
        provisioner.ensure(spec, "stack-1");
        cloud.clock().advance(Duration.ofSeconds(10));
        provisioner.delete(spec);
        cloud.clock().advance(Duration.ofSeconds(10));
        assertEquals(0, volumesOf(fs).size());
        assertEquals(0, enisOf(fs));
    }

    @Test
    void theHandlerAlwaysAnswersCloudFormation() throws IOException {
        AtomicReference<String> answer = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            answer.set(new String(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try (UrlConnectionHttpClient http = (UrlConnectionHttpClient) UrlConnectionHttpClient.builder().build()) {
            PoolProvisionerHandler handler = new PoolProvisionerHandler(provisioner, http);
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/response";

            handler.handleRequest(event("Create", url, properties("2")), CONTEXT);
            JsonNode ok = Json.MAPPER.readTree(answer.get());
            assertEquals("SUCCESS", ok.path("Status").asText(), answer.get());
            assertEquals("lustre-ha-pool-" + fs, ok.path("PhysicalResourceId").asText());
            assertTrue(ok.path("Data").path("MgsNid").asText().endsWith("@tcp"));
            assertEquals("3", ok.path("Data").path("OssCapacity").asText(), "two OSS roles and one standby");

            handler.handleRequest(event("Create", url, properties("not-a-number")), CONTEXT);
            JsonNode failed = Json.MAPPER.readTree(answer.get());
            assertEquals("FAILED", failed.path("Status").asText());
            assertTrue(failed.path("Reason").asText().contains("OssCount"), failed.path("Reason").asText());
        } finally {
            server.stop(0);
        }
    }

    /** What the Lambda runtime passes; the handler reads the log stream name into its answer. */
    private static final Context CONTEXT = (Context) Proxy.newProxyInstance(Context.class.getClassLoader(),
            new Class<?>[] {Context.class}, (proxy, method, args) -> switch (method.getName()) {
                case "getLogStreamName" -> "2026/11/21/[$LATEST]0123456789abcdef";
                case "getAwsRequestId" -> "request-1";
                case "getRemainingTimeInMillis" -> 60_000;
                default -> null;
            });

    private Map<String, Object> properties(String ossCount) {
        Map<String, Object> p = new HashMap<>();
        p.put("ServiceToken", "arn:aws:lambda:us-east-1:000000000000:function:PoolProvisionerFunction");
        p.put("FileSystemName", fs.value());
        p.put("SubnetId", subnet);
        p.put("SecurityGroupIds", List.of("sg-0123456789abcdef0"));
        p.put("MdsCount", "1");
        p.put("OssCount", ossCount);
        p.put("VolumesPerOss", "2");
        p.put("MgtVolumeSize", "1");
        p.put("MdtVolumeSize", "8");
        p.put("OstVolumeSize", "64");
        p.put("VolumeType", "gp3");
        p.put("VolumeIops", "3000");
        p.put("VolumeThroughput", "250");
        p.put("DeleteDataOnStackDelete", "false");
        p.put("StandbyCount", "1");
        return p;
    }

    private static CloudFormationCustomResourceEvent event(String type, String url, Map<String, Object> properties) {
        CloudFormationCustomResourceEvent e = new CloudFormationCustomResourceEvent();
        e.setRequestType(type);
        e.setResponseUrl(url);
        e.setStackId("arn:aws:cloudformation:us-east-1:000000000000:stack/lustre/abc");
        e.setRequestId("req-" + type);
        e.setLogicalResourceId("Pool");
        e.setResourceType("Custom::LustrePool");
        e.setResourceProperties(properties);
        return e;
    }
}
