package dev.lustreha.bench.baseline;

import dev.lustreha.config.Config;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.pools.PoolProvisioner;
import dev.lustreha.pools.PoolProvisionerHandler;
import dev.lustreha.reconcile.ReconcileHandler;
import dev.lustreha.reconcile.ReconcilePlanner;
import dev.lustreha.reconcile.Reconciler;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.AttachHandler;
import dev.lustreha.steps.ClaimHandler;
import dev.lustreha.steps.CompensateHandler;
import dev.lustreha.steps.CompleteHandler;
import dev.lustreha.steps.DetachHandler;
import dev.lustreha.steps.FenceHandler;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.steps.HandoverSteps;
import dev.lustreha.steps.RecordHandler;
import dev.lustreha.steps.ReleaseHandler;
import dev.lustreha.trigger.LifecycleTrigger;
import dev.lustreha.trigger.LifecycleTriggerHandler;
import dev.lustreha.trigger.SfnExecutionLister;
import dev.lustreha.trigger.SfnExecutionStarter;
import dev.lustreha.trigger.StateChangeTrigger;
import dev.lustreha.trigger.StateChangeTriggerHandler;
import java.time.Clock;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * BENCHMARK BASELINE ONLY, never deployed: lustre-ha's handlers wired the common unoptimised way,
 * for the cold-start benchmark to compare against. The handlers' own logic is the production code
 * (their injection constructors); only what they stand on differs:
 *
 * <ul>
 *   <li>every SDK client from {@code XxxClient.create()}: the default credentials provider chain,
 *       the default region provider chain, and the default HTTP client, which is Apache's (the
 *       SDK picks it over the URL-connection client when both are on the classpath);
 *   <li>DynamoDB through the enhanced client with reflection-based {@code TableSchema.fromBean}
 *       schemas ({@link BeanRoleStore}, {@link BeanHandoverHistory});
 *   <li>every client built at once in one static initialiser, whichever handler runs, as
 *       lustre-ha's own wiring did before the benchmark.
 * </ul>
 */
public final class BaselineHandlers {

    private static final Config CONFIG = Config.from(System::getenv);
    private static final DynamoDbClient DYNAMO = DynamoDbClient.create();
    private static final Ec2Client EC2 = Ec2Client.create();
    private static final AutoScalingClient AUTO_SCALING = AutoScalingClient.create();
    private static final SfnClient SFN = SfnClient.create();
    private static final DynamoDbEnhancedClient ENHANCED = DynamoDbEnhancedClient.builder().dynamoDbClient(DYNAMO).build();

    private static final RoleStore STORE =
            new BeanRoleStore(ENHANCED, CONFIG.rolesTable(), CONFIG.resourcesTable(), Clock.systemUTC());
    private static final HandoverHistory HISTORY = new BeanHandoverHistory(ENHANCED, System.getenv("HISTORY_TABLE"));
    private static final Ec2Gateway AWS = new Ec2Gateway(EC2, AUTO_SCALING);
    private static final HandoverSteps STEPS = new HandoverSteps(STORE, AWS, Clock.systemUTC(), HISTORY,
            System.out::println);
    private static final Reconciler RECONCILER = new Reconciler(CONFIG, STORE, AWS, new SfnExecutionStarter(SFN),
            new SfnExecutionLister(SFN), Clock.systemUTC(), HandoverState.Poll.defaults(),
            ReconcilePlanner.Bounds.defaults());

    private BaselineHandlers() {
    }

    /** The handler of this class name, built on the baseline's clients. */
    public static Object create(String handlerClass) {
        return switch (handlerClass.substring(handlerClass.lastIndexOf('.') + 1)) {
            case "LifecycleTriggerHandler" -> new LifecycleTriggerHandler(new LifecycleTrigger(CONFIG,
                    new SfnExecutionStarter(SFN), HandoverState.Poll.defaults()));
            case "StateChangeTriggerHandler" -> new StateChangeTriggerHandler(new StateChangeTrigger(CONFIG, STORE,
                    RECONCILER));
            case "ReconcileHandler" -> new ReconcileHandler(RECONCILER, CONFIG.fileSystem().value(),
                    System.out::println);
            case "ClaimHandler" -> new ClaimHandler(STEPS);
            case "FenceHandler" -> new FenceHandler(STEPS);
            case "DetachHandler" -> new DetachHandler(STEPS);
            case "AttachHandler" -> new AttachHandler(STEPS);
            case "RecordHandler" -> new RecordHandler(STEPS);
            case "CompleteHandler" -> new CompleteHandler(STEPS);
            case "CompensateHandler" -> new CompensateHandler(STEPS);
            case "ReleaseHandler" -> new ReleaseHandler(STEPS);
            case "PoolProvisionerHandler" -> new PoolProvisionerHandler(
                    new PoolProvisioner(AWS, STORE, Clock.systemUTC()), ApacheHttpClient.create());
            default -> throw new IllegalArgumentException("no baseline for " + handlerClass);
        };
    }
}
