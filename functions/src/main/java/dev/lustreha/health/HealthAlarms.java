package dev.lustreha.health;

import static dev.lustreha.ec2.AwsCalls.call;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * The per-role health alarms in CloudWatch: made and removed with the roles (by the pool
 * provisioner), listed when raised and re-armed (by the reconciler and the health trigger). SDK
 * failures become lustre-ha's own ({@link dev.lustreha.ec2.AwsCalls}).
 */
public final class HealthAlarms {

    /**
     * A raised alarm of one role, and since when: StateTransitionedTimestamp ("the date and time that
     * the alarm's StateValue most recently changed", MetricAlarm in the CloudWatch API Reference), not
     * StateUpdatedTimestamp, which also moves when only the reason is rewritten.
     */
    public record Raised(String alarmName, RoleId role, Instant since) {
    }

    /** DeleteAlarms takes at most 100 names per call. */
    private static final int DELETE_BATCH = 100;

    private final CloudWatchClient cloudWatch;

    public HealthAlarms(CloudWatchClient cloudWatch) {
        this.cloudWatch = cloudWatch;
    }

    /**
     * Creates or updates the role's alarm. PutMetricAlarm on an existing alarm overwrites its
     * configuration and leaves its state as it is, so running this again (a retried or updated
     * stack) is harmless.
     *
     * <p>The alarm watches {@code FILL(m1, 0)} over the Minimum of the metric, not the metric itself.
     * A plain alarm with missing data breaching sees a silent server (hung, cut off) late: CloudWatch
     * retrieves more periods than it evaluates (5 for 3) and fills missing ones only when fewer
     * real datapoints than EvaluationPeriods are left in that range, so the last healthy
     * datapoints hold the alarm OK for two more periods ("How alarm state is evaluated when data is
     * missing", AlarmThatSendsEmail). FILL replaces each missing period, the most recent included,
     * with 0 (the FILL row of "Metric math syntax and functions"): silence breaches from its first
     * period, exactly like an unhealthy check, and M of N still forgives a late datapoint.
     * TreatMissingData breaching stays for a range with no datapoint at all.
     */
    public void ensure(FileSystemName fs, RoleId role, HealthAlarmSpec spec) {
        String name = HealthAlarmSpec.alarmName(fs, role);
        MetricDataQuery healthy = MetricDataQuery.builder()
                .id(HealthAlarmSpec.METRIC_ID)
                .metricStat(s -> s
                        .metric(m -> m.namespace(HealthAlarmSpec.NAMESPACE).metricName(HealthAlarmSpec.METRIC)
                                .dimensions(Dimension.builder().name("FileSystem").value(fs.value()).build(),
                                        Dimension.builder().name("Role").value(role.value()).build()))
                        .stat(Statistic.MINIMUM.toString())
                        .period(HealthAlarmSpec.PERIOD_SECONDS))
                .returnData(false)
                .build();
        MetricDataQuery silenceIsUnhealthy = MetricDataQuery.builder()
                .id(HealthAlarmSpec.EXPRESSION_ID)
                .expression(HealthAlarmSpec.EXPRESSION)
                .label("ServerHealthy, missing as 0")
                .returnData(true)
                .build();
        call("PutMetricAlarm " + name, () -> cloudWatch.putMetricAlarm(r -> r
                .alarmName(name)
                .alarmDescription("lustre-ha " + fs.value() + " " + role.value() + ": the server owning the role "
                        + "reported unhealthy or stopped reporting; the health trigger fences it and moves the role")
                .metrics(healthy, silenceIsUnhealthy)
                .evaluationPeriods(spec.periods())
                .datapointsToAlarm(spec.datapoints())
                .threshold(1.0)
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .treatMissingData("breaching")));
    }

    /** Deletes the alarms of these roles; deleting one that does not exist is not an error. */
    public void delete(FileSystemName fs, List<RoleId> roles) {
        List<String> names = roles.stream().map(r -> HealthAlarmSpec.alarmName(fs, r)).toList();
        for (int i = 0; i < names.size(); i += DELETE_BATCH) {
            List<String> batch = names.subList(i, Math.min(names.size(), i + DELETE_BATCH));
            call("DeleteAlarms " + batch, () -> cloudWatch.deleteAlarms(r -> r.alarmNames(batch)));
        }
    }

    /** The file system's health alarms that are in ALARM now. */
    public List<Raised> raised(FileSystemName fs) {
        List<Raised> out = new ArrayList<>();
        String prefix = HealthAlarmSpec.prefix(fs);
        String next = null;
        do {
            String token = next;
            DescribeAlarmsResponse page = call("DescribeAlarms " + prefix + "*", () -> cloudWatch.describeAlarms(r -> r
                    .alarmNamePrefix(prefix).stateValue(StateValue.ALARM).nextToken(token)));
            for (MetricAlarm a : page.metricAlarms()) {
                Optional<RoleId> role = HealthAlarmSpec.roleOf(fs, a.alarmName());
                Instant since = a.stateTransitionedTimestamp() != null ? a.stateTransitionedTimestamp()
                        : a.stateUpdatedTimestamp();
                if (role.isPresent() && since != null) {
                    out.add(new Raised(a.alarmName(), role.get(), since));
                }
            }
            next = page.nextToken();
        } while (next != null && !next.isEmpty());
        return out;
    }

    /**
     * Sets the alarm back to OK, so that CloudWatch evaluates it afresh at its next period and,
     * if the data still breaches, raises it again with a new state-change event (SetAlarmState:
     * "the alarm returns to its actual state" at the next evaluation;
     * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).
     */
    public void rearm(String alarmName, String reason) {
        String why = reason.length() > 1023 ? reason.substring(0, 1023) : reason;
        call("SetAlarmState " + alarmName, () -> cloudWatch.setAlarmState(r -> r
                .alarmName(alarmName).stateValue(StateValue.OK).stateReason(why)));
    }
}
