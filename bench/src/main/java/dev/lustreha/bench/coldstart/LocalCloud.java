package dev.lustreha.bench.coldstart;

import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import dev.lustreha.local.dynamodb.TableDefinition;
import dev.lustreha.roles.DynamoRoleStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The local cloud the cold-start runs call: DynamoDB Local with the template's tables (in this
 * JVM), moto_server for EC2, Auto Scaling and Step Functions, and {@link AutoScalingShim} in front
 * of moto's Auto Scaling. Before each run it lays out the world the run's event expects, from
 * nothing, so every run of a handler does the same work.
 */
final class LocalCloud implements AutoCloseable {

    static final String FILE_SYSTEM = "scratch";
    static final String AZ = "us-east-1a";
    static final String OSS_GROUP = "scratch-oss";
    /** One of the images moto ships. */
    private static final String AMI = "ami-12c6146b";
    private static final RoleKey OSS01 = RoleKey.of(FILE_SYSTEM, "oss01");
    private static final StaticCredentialsProvider TESTING =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

    /** Who holds role oss01, and where its ENI and volumes are, before the event. */
    enum Stage {
        /** No role yet: the pool provisioner's create. */
        EMPTY,
        /** oss01 SERVING on the old server, which runs and holds the ENI and volumes. */
        SERVING_OLD_RUNNING,
        /** oss01 SERVING on the old server, which has stopped (still holding the ENI and volumes). */
        SERVING_OLD_STOPPED,
        /** oss01 ORPHANED by the stopped old server, which still holds the ENI and volumes. */
        ORPHANED,
        /** oss01 CLAIMED at epoch 2 by the new server; the stopped old server still holds the ENI and volumes. */
        CLAIMED_HELD,
        /** oss01 CLAIMED at epoch 2 by the new server; the ENI and volumes are detached. */
        CLAIMED_FREE,
        /** oss01 CLAIMED at epoch 2 by the new server, which holds the ENI and volumes. */
        CLAIMED_ATTACHED,
        /** oss01 SERVING at epoch 2 on the new server. */
        SERVING_NEW
    }

    /** What a seeded world is made of: the ids the events and states name. */
    record World(String oldServer, String newServer, String subnet, String securityGroup, String eni, String privateIp,
            List<Volume> volumes, String handoverArn, String releaseArn) {

        RoleResources resources() {
            return new RoleResources(OSS01, AZ, new NetworkIdentity(eni, privateIp), volumes);
        }
    }

    private final Path template;
    private final DynamoDbLocal dynamoLocal;
    private final Moto moto;
    private final AutoScalingShim shim;
    private final SdkHttpClient http = UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build();
    private final DynamoDbClient dynamo;
    private final Ec2Client ec2;
    private final AutoScalingClient autoScaling;
    private final SfnClient sfn;
    private final DynamoRoleStore store;

    private LocalCloud(Path template, DynamoDbLocal dynamoLocal, Moto moto, AutoScalingShim shim) {
        this.template = template;
        this.dynamoLocal = dynamoLocal;
        this.moto = moto;
        this.shim = shim;
        this.dynamo = dynamoLocal.newClient();
        this.ec2 = Ec2Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(TESTING).httpClient(http).build();
        this.autoScaling = AutoScalingClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(TESTING).httpClient(http).build();
        this.sfn = SfnClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(TESTING).httpClient(http).build();
        this.store = new DynamoRoleStore(dynamo, "RolesTable", "ResourcesTable", Clock.systemUTC());
    }

    static LocalCloud start(Path repository, Path workDir) throws IOException, InterruptedException {
        Path template = repository.resolve("template.yaml");
        // Items carry wall-clock times here, but TTL sweeps are no part of a cold start.
        DynamoDbLocal dynamo = DynamoDbLocal.startWithTables(template, false);
        Moto moto = null;
        try {
            moto = Moto.start(repository, workDir.resolve("moto_server.log"));
            return new LocalCloud(template, dynamo, moto, AutoScalingShim.start(moto.endpoint()));
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (moto != null) {
                moto.close();
            }
            dynamo.close();
            throw e;
        }
    }

    /** The endpoints a child JVM's SDK clients use (service-specific endpoint variables). */
    Map<String, String> endpointVariables() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoLocal.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_EC2", moto.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_AUTO_SCALING", shim.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_SFN", moto.endpoint().toString());
        return env;
    }

    URI cloudFormationResponseUrl() {
        return shim.cloudFormationResponseUrl();
    }

    AutoScalingShim shim() {
        return shim;
    }

    /** Forgets everything and lays out {@code stage}. */
    World seed(Stage stage) throws IOException, InterruptedException {
        moto.reset();
        resetTables();
        String subnet = ec2.describeSubnets(r -> r.filters(filter("availability-zone", AZ),
                filter("default-for-az", "true"))).subnets().get(0).subnetId();
        String sg = ec2.describeSecurityGroups(r -> r.filters(filter("group-name", "default"))).securityGroups().get(0)
                .groupId();
        List<Instance> servers = ec2.runInstances(r -> r.imageId(AMI).instanceType("c6in.4xlarge").minCount(2)
                .maxCount(2).subnetId(subnet)).instances();
        String oldServer = servers.get(0).instanceId();
        String newServer = servers.get(1).instanceId();
        NetworkInterface eni = ec2.createNetworkInterface(r -> r.subnetId(subnet).groups(sg)
                .description("lustre-ha scratch oss01")).networkInterface();
        List<Volume> volumes = List.of(
                new Volume(ec2.createVolume(r -> r.availabilityZone(AZ).size(512).volumeType("gp3")).volumeId(),
                        "/dev/sdf", "scratch-OST0000"),
                new Volume(ec2.createVolume(r -> r.availabilityZone(AZ).size(512).volumeType("gp3")).volumeId(),
                        "/dev/sdg", "scratch-OST0001"));
        autoScaling.createLaunchConfiguration(r -> r.launchConfigurationName("bench").imageId(AMI)
                .instanceType("c6in.4xlarge"));
        autoScaling.createAutoScalingGroup(r -> r.autoScalingGroupName(OSS_GROUP).launchConfigurationName("bench")
                .minSize(0).maxSize(8).desiredCapacity(0).vpcZoneIdentifier(subnet));
        autoScaling.attachInstances(r -> r.autoScalingGroupName(OSS_GROUP).instanceIds(oldServer, newServer));
        String definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}";
        String role = "arn:aws:iam::123456789012:role/lustre-ha-bench";
        String handoverArn = sfn.createStateMachine(r -> r.name("scratch-handover").definition(definition)
                .roleArn(role)).stateMachineArn();
        String releaseArn = sfn.createStateMachine(r -> r.name("scratch-release").definition(definition)
                .roleArn(role)).stateMachineArn();
        World world = new World(oldServer, newServer, subnet, sg, eni.networkInterfaceId(), eni.privateIpAddress(),
                volumes, handoverArn, releaseArn);
        if (stage != Stage.EMPTY) {
            seedRole(stage, world);
            seedAttachments(stage, world);
        }
        return world;
    }

    private void seedRole(Stage stage, World w) {
        store.registerResources(w.resources());
        store.createIfAbsent(Role.vacant(OSS01, AZ, Clock.systemUTC().instant()));
        Role first = store.claim(store.load(OSS01).orElseThrow(), w.oldServer(), "launch-" + w.oldServer());
        store.transition(OSS01, w.oldServer(), first.epoch(), RoleState.SERVING);
        if (stage == Stage.SERVING_OLD_RUNNING || stage == Stage.SERVING_OLD_STOPPED) {
            return;
        }
        Role orphaned = store.markOrphaned(OSS01, w.oldServer(), first.epoch());
        if (stage == Stage.ORPHANED) {
            return;
        }
        Role second = store.claim(orphaned, w.newServer(), Events.launchExecution(w));
        if (stage == Stage.SERVING_NEW) {
            store.transition(OSS01, w.newServer(), second.epoch(), RoleState.SERVING);
        }
    }

    private void seedAttachments(Stage stage, World w) {
        String holder = switch (stage) {
            case CLAIMED_FREE -> null;
            case CLAIMED_ATTACHED, SERVING_NEW -> w.newServer();
            default -> w.oldServer();
        };
        if (holder != null) {
            ec2.attachNetworkInterface(r -> r.networkInterfaceId(w.eni()).instanceId(holder).deviceIndex(1));
            for (Volume v : w.volumes()) {
                ec2.attachVolume(r -> r.volumeId(v.volumeId()).instanceId(holder).device(v.device()));
            }
        }
        if (stage != Stage.SERVING_OLD_RUNNING) {
            ec2.stopInstances(r -> r.instanceIds(w.oldServer()));
        }
    }

    private void resetTables() {
        for (TableDefinition table : TableDefinition.fromTemplate(template)) {
            dynamo.deleteTable(r -> r.tableName(table.name()));
            dynamo.createTable(table.create());
        }
    }

    private static Filter filter(String name, String value) {
        return Filter.builder().name(name).values(value).build();
    }

    @Override
    public void close() {
        shim.close();
        moto.close();
        dynamoLocal.close();
    }
}
