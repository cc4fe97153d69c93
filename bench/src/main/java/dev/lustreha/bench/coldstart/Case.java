package dev.lustreha.bench.coldstart;

import dev.lustreha.bench.coldstart.LocalCloud.Stage;
import dev.lustreha.bench.coldstart.LocalCloud.World;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * One function of template.yaml (named as its logical id without "Function"), the world it runs in
 * and its one event.
 *
 * @param calls the AWS calls the event makes the handler do, for the report
 */
record Case(String function, String handlerClass, Stage stage, EventMaker event, String calls) {

    interface EventMaker {
        byte[] make(World world, Events events, URI cloudFormationResponseUrl);
    }

    static List<Case> all() {
        Instant t = Instant.parse("2026-11-21T10:15:00Z");
        return List.of(
                new Case("LifecycleTrigger", "dev.lustreha.trigger.LifecycleTriggerHandler", Stage.SERVING_OLD_STOPPED,
                        (w, e, u) -> e.eventBridge("launch-lifecycle.json", w), "SFN StartExecution"),
                new Case("StateChangeTrigger", "dev.lustreha.trigger.StateChangeTriggerHandler",
                        Stage.SERVING_OLD_STOPPED, (w, e, u) -> e.eventBridge("state-change-stopped.json", w),
                        "DynamoDB Query, UpdateItem (orphan); reconciler failover: Auto Scaling SetInstanceHealth"),
                new Case("Reconciler", "dev.lustreha.reconcile.ReconcileHandler", Stage.SERVING_OLD_STOPPED,
                        (w, e, u) -> Events.scheduled(),
                        "SFN ListExecutions x2, DynamoDB Query x2, Auto Scaling DescribeAutoScalingGroups, "
                                + "EC2 Describe*; acts on the stopped owner"),
                new Case("Claim", "dev.lustreha.steps.ClaimHandler", Stage.ORPHANED,
                        (w, e, u) -> Events.json(e.started("launch-lifecycle.json", w)),
                        "EC2 DescribeInstances x2, DynamoDB Query x2, conditional UpdateItem (claim)"),
                new Case("Fence", "dev.lustreha.steps.FenceHandler", Stage.CLAIMED_HELD,
                        (w, e, u) -> Events.json(e.claimed(w, t)),
                        "DynamoDB GetItem, EC2 DescribeNetworkInterfaces, DescribeVolumes, DescribeInstances"),
                new Case("Detach", "dev.lustreha.steps.DetachHandler", Stage.CLAIMED_HELD,
                        (w, e, u) -> Events.json(e.claimed(w, t)),
                        "DynamoDB GetItem, EC2 Describe* x3, DetachNetworkInterface, DetachVolume x2"),
                new Case("Attach", "dev.lustreha.steps.AttachHandler", Stage.CLAIMED_FREE,
                        (w, e, u) -> Events.json(e.claimed(w, t)),
                        "DynamoDB GetItem, EC2 Describe* x3, AttachNetworkInterface, AttachVolume x2"),
                new Case("Record", "dev.lustreha.steps.RecordHandler", Stage.CLAIMED_ATTACHED,
                        (w, e, u) -> Events.json(e.attached(w, t)),
                        "DynamoDB conditional UpdateItem (SERVING), EC2 CreateTags x2"),
                new Case("Complete", "dev.lustreha.steps.CompleteHandler", Stage.SERVING_NEW,
                        (w, e, u) -> Events.json(e.attached(w, t)),
                        "Auto Scaling CompleteLifecycleAction, DynamoDB PutItem (history)"),
                new Case("Compensate", "dev.lustreha.steps.CompensateHandler", Stage.CLAIMED_HELD,
                        (w, e, u) -> Events.json(e.failed(w, t)),
                        "DynamoDB conditional UpdateItem (RELEASED), EC2 CreateTags, Auto Scaling "
                                + "CompleteLifecycleAction, DynamoDB PutItem (history)"),
                new Case("Release", "dev.lustreha.steps.ReleaseHandler", Stage.SERVING_OLD_RUNNING,
                        (w, e, u) -> Events.json(e.started("terminate-lifecycle.json", w)),
                        "DynamoDB Query, conditional UpdateItem (RELEASING), Auto Scaling CompleteLifecycleAction"),
                new Case("PoolProvisioner", "dev.lustreha.pools.PoolProvisionerHandler", Stage.EMPTY,
                        (w, e, u) -> Events.poolCreate(w, u.toString()),
                        "EC2 DescribeSubnets, Describe*/CreateNetworkInterface/CreateVolume for 3 roles, DynamoDB "
                                + "PutItem x6; answers CloudFormation (HTTP PUT)"));
    }
}
