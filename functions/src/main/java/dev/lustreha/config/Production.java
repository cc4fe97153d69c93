package dev.lustreha.config;

import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.health.HealthAlarms;
import dev.lustreha.history.DynamoHandoverHistory;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.reconcile.ReconcilePlanner;
import dev.lustreha.reconcile.Reconciler;
import dev.lustreha.roles.DynamoRoleStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.steps.HandoverSteps;
import dev.lustreha.trigger.ExecutionStarter;
import dev.lustreha.trigger.HealthTrigger;
import dev.lustreha.trigger.SfnExecutionLister;
import dev.lustreha.trigger.SfnExecutionStarter;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The real AWS clients and services, built once per Lambda container while a handler's public
 * constructor runs (the function's init phase, which SnapStart snapshots).
 *
 * <p>Each client lives in its own holder class, initialised the first time a handler's
 * constructor asks for something that needs it, so a function builds only the clients it uses:
 * the lifecycle trigger never loads the EC2 client, whose ~750 model classes the JVM loads and
 * verifies with it (a quarter of a second in a fresh JVM; see bench/README.md). Nothing is built
 * later than the constructor, so SnapStart still snapshots every client a function uses.
 *
 * <p>Region and credentials are explicit, so the SDK never searches its provider chains (see
 * {@link LambdaCredentials} for which provider), and one light HTTP client serves every client.
 * Each holder registers its {@link Primers primer} with {@link Priming}, which runs before a
 * SnapStart snapshot.
 */
public final class Production {

    public static final Config CONFIG = Config.from(System::getenv);
    public static final HealthSettings HEALTH = HealthSettings.from(System::getenv);

    private Production() {
    }

    /** The one HTTP client of the container (also answers CloudFormation for the pool provisioner). */
    public static SdkHttpClient http() {
        return Shared.HTTP;
    }

    public static RoleStore store() {
        return Tables.STORE;
    }

    public static Ec2Gateway aws() {
        return Compute.AWS;
    }

    public static ExecutionStarter starter() {
        return Workflows.STARTER;
    }

    public static HandoverSteps steps() {
        return Steps.STEPS;
    }

    public static Reconciler reconciler() {
        return Reconciling.RECONCILER;
    }

    public static HealthAlarms alarms() {
        return Alarms.ALARMS;
    }

    public static HealthTrigger healthTrigger() {
        return new HealthTrigger(CONFIG, Tables.STORE, Tables.STORE, Alarms.ALARMS, Reconciling.RECONCILER,
                HEALTH.policy(), HEALTH.alarm(), Clock.systemUTC(), System.out::println);
    }

    private static final class Alarms {
        static final HealthAlarms ALARMS = new HealthAlarms(CloudWatchClient.builder().region(Shared.REGION)
                .credentialsProvider(Shared.CREDENTIALS).httpClient(Shared.HTTP).build());

        static {
            Priming.add("cloudwatch", () -> Primers.alarms(Shared.REGION));
        }
    }

    private static final class Shared {
        static final Region REGION = Region.of(System.getenv("AWS_REGION"));
        static final AwsCredentialsProvider CREDENTIALS = LambdaCredentials.provider(System::getenv);
        static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder().build();

        static {
            Priming.add("json", Primers::json);
            Priming.add("http", Primers::httpClasses);
        }
    }

    private static final class Tables {
        static final DynamoDbClient DYNAMO = DynamoDbClient.builder()
                .region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS).httpClient(Shared.HTTP).build();
        static final DynamoRoleStore STORE =
                new DynamoRoleStore(DYNAMO, CONFIG.rolesTable(), CONFIG.resourcesTable(), Clock.systemUTC());
        static final HandoverHistory HISTORY = new DynamoHandoverHistory(DYNAMO, System.getenv("HISTORY_TABLE"));

        static {
            Priming.add("dynamodb", () -> Primers.dynamo(Shared.REGION, CONFIG.rolesTable(), CONFIG.resourcesTable(),
                    System.getenv("HISTORY_TABLE")));
        }
    }

    private static final class Compute {
        static final Ec2Gateway AWS = new Ec2Gateway(
                Ec2Client.builder().region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS)
                        .httpClient(Shared.HTTP).build(),
                AutoScalingClient.builder().region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS)
                        .httpClient(Shared.HTTP).build());

        static {
            Priming.add("ec2+autoscaling", () -> Primers.compute(Shared.REGION));
        }
    }

    private static final class Workflows {
        static final SfnClient SFN = SfnClient.builder()
                .region(Shared.REGION).credentialsProvider(Shared.CREDENTIALS).httpClient(Shared.HTTP).build();
        static final ExecutionStarter STARTER = new SfnExecutionStarter(SFN);

        static {
            Priming.add("sfn", () -> Primers.workflows(Shared.REGION));
        }
    }

    private static final class Steps {
        static final HandoverSteps STEPS = new HandoverSteps(Tables.STORE, Tables.STORE, Compute.AWS, Clock.systemUTC(),
                Tables.HISTORY, System.out::println);
    }

    private static final class Reconciling {
        static final Reconciler RECONCILER = new Reconciler(CONFIG, Tables.STORE, Compute.AWS, Workflows.STARTER,
                new SfnExecutionLister(Workflows.SFN), Clock.systemUTC(), HandoverState.Poll.defaults(),
                ReconcilePlanner.Bounds.defaults(), Alarms.ALARMS, HEALTH);
    }
}
