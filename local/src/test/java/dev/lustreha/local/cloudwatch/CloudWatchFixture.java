package dev.lustreha.local.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.cloud.Latency;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * A simulated cloud whose clock starts on a minute boundary, with the health metric the way the
 * health agent publishes it: 1 healthy, 0 unhealthy, an alarm "LessThanThreshold 1".
 */
final class CloudWatchFixture {

    static final String NAMESPACE = "LustreHA";
    static final String METRIC = "Healthy";
    static final Dimension ROLE = Dimension.builder().name("Role").value("mds01").build();

    final SimCloud cloud;
    final SimCloudWatch cw;

    CloudWatchFixture(Latency latency) {
        this(42, latency);
    }

    CloudWatchFixture(long seed, Latency latency) {
        cloud = SimCloud.create(seed, latency);
        cw = cloud.cloudWatch();
    }

    Instant now() {
        return cloud.clock().now();
    }

    /** Seconds since the start of the run. */
    long t() {
        return Duration.between(SimCloud.EPOCH, now()).getSeconds();
    }

    void advanceTo(long second) {
        cloud.clock().advance(Duration.between(now(), SimCloud.EPOCH.plusSeconds(second)));
    }

    /** One high-resolution datapoint, timestamped now. */
    void put(double value) {
        put(value, 1);
    }

    void put(double value, int resolution) {
        cw.putMetricData(r -> r.namespace(NAMESPACE).metricData(d -> d.metricName(METRIC).dimensions(ROLE)
                .value(value).unit(StandardUnit.COUNT).storageResolution(resolution)));
    }

    /** The health agent: {@code value} every 10 s, at second 1 of each 10, from now until {@code until}. */
    void publishEvery10s(double value, long until) {
        long next = t() % 10 <= 1 ? t() - t() % 10 + 1 : t() - t() % 10 + 11;
        while (next < until) {
            advanceTo(next);
            put(value);
            next += 10;
        }
        advanceTo(until);
    }

    static PutMetricAlarmRequest.Builder healthAlarm(String name) {
        return PutMetricAlarmRequest.builder().alarmName(name).namespace(NAMESPACE).metricName(METRIC)
                .dimensions(ROLE).statistic(Statistic.MINIMUM).period(10).evaluationPeriods(3).datapointsToAlarm(3)
                .threshold(1.0).comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD).treatMissingData("breaching");
    }

    StateValue state(String alarm) {
        return cw.stateOf(alarm).orElseThrow();
    }

    MetricAlarm describe(String alarm) {
        return cw.describeAlarms(r -> r.alarmNames(alarm)).metricAlarms().get(0);
    }

    List<JsonNode> stateChanges() {
        return cloud.bus().published().stream()
                .filter(e -> e.path("detail-type").asText().equals("CloudWatch Alarm State Change")).toList();
    }
}
