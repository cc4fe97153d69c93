package dev.lustreha.config;

import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.history.DynamoHandoverHistory;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.reconcile.ReconcilePlanner;
import dev.lustreha.reconcile.Reconciler;
import dev.lustreha.roles.DynamoRoleStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.HandoverSteps;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.ExecutionLister;
import dev.lustreha.trigger.ExecutionStarter;
import dev.lustreha.trigger.SfnExecutionLister;
import dev.lustreha.trigger.SfnExecutionStarter;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The real AWS clients and services, built once per Lambda container when a handler's public
 * constructor first touches this class (class initialisation runs during the function's init
 * phase, which SnapStart snapshots). Region and credentials are explicit — Lambda sets
 * {@code AWS_REGION} and the credential variables — so the SDK never searches its provider chain,
 * and one light HTTP client serves every client.
 */
public final class Production {

    public static final Config CONFIG = Config.from(System::getenv);

    private static final Region REGION = Region.of(System.getenv("AWS_REGION"));
    private static final AwsCredentialsProvider CREDENTIALS = EnvironmentVariableCredentialsProvider.create();
    /** The one HTTP client of the container (also answers CloudFormation for the pool provisioner). */
    public static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder().build();

    private static final DynamoDbClient DYNAMO = DynamoDbClient.builder()
            .region(REGION).credentialsProvider(CREDENTIALS).httpClient(HTTP).build();
    private static final Ec2Client EC2 = Ec2Client.builder()
            .region(REGION).credentialsProvider(CREDENTIALS).httpClient(HTTP).build();
    private static final AutoScalingClient AUTO_SCALING = AutoScalingClient.builder()
            .region(REGION).credentialsProvider(CREDENTIALS).httpClient(HTTP).build();
    private static final SfnClient SFN = SfnClient.builder()
            .region(REGION).credentialsProvider(CREDENTIALS).httpClient(HTTP).build();

    public static final RoleStore STORE =
            new DynamoRoleStore(DYNAMO, CONFIG.rolesTable(), CONFIG.resourcesTable(), Clock.systemUTC());
    public static final Ec2Gateway AWS = new Ec2Gateway(EC2, AUTO_SCALING);
    public static final HandoverHistory HISTORY = new DynamoHandoverHistory(DYNAMO, System.getenv("HISTORY_TABLE"));
    public static final HandoverSteps STEPS = new HandoverSteps(STORE, AWS, Clock.systemUTC(), HISTORY,
            System.out::println);
    public static final ExecutionStarter STARTER = new SfnExecutionStarter(SFN);
    public static final ExecutionLister LISTER = new SfnExecutionLister(SFN);
    public static final Reconciler RECONCILER = new Reconciler(CONFIG, STORE, AWS, STARTER, LISTER, Clock.systemUTC(),
            HandoverState.Poll.defaults(), ReconcilePlanner.Bounds.defaults());

    private Production() {
    }
}
