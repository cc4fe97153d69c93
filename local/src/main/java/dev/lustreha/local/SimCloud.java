package dev.lustreha.local;

import dev.lustreha.local.autoscaling.SimAutoScaling;
import dev.lustreha.local.cloud.EventBus;
import dev.lustreha.local.cloud.Faults;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.SimClock;
import dev.lustreha.local.cloudwatch.SimCloudWatch;
import dev.lustreha.local.ec2.SimEc2;
import java.time.Instant;

/**
 * The simulated part of the local cloud, wired together on one virtual clock and one seed: EC2,
 * Auto Scaling, CloudWatch (metrics and alarms), the event bus, the fault injector and the history
 * invariants are checked from.
 */
public record SimCloud(SimClock clock, History history, Faults faults, Latency latency, EventBus bus, SimEc2 ec2,
        SimAutoScaling autoScaling, SimCloudWatch cloudWatch) {

    /** Virtual time starts here in every run, so runs with one seed are identical. */
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    public static SimCloud create(long seed, Latency latency) {
        SimClock clock = new SimClock(EPOCH);
        History history = new History(clock);
        Faults faults = new Faults(seed);
        EventBus bus = new EventBus(clock, faults, latency, history);
        SimEc2 ec2 = new SimEc2(clock, history, faults, latency, bus);
        SimAutoScaling autoScaling = new SimAutoScaling(clock, history, faults, bus, ec2);
        // With zero latency everything is due at once, alarm evaluations too (kinder than AWS, see SimCloudWatch.Delays).
        SimCloudWatch cloudWatch = new SimCloudWatch(clock, history, faults, bus,
                latency.equals(Latency.zero()) ? SimCloudWatch.Delays.none() : SimCloudWatch.Delays.aws());
        return new SimCloud(clock, history, faults, latency, bus, ec2, autoScaling, cloudWatch);
    }
}
