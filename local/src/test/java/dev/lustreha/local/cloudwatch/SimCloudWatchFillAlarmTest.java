package dev.lustreha.local.cloudwatch;

import static dev.lustreha.local.cloudwatch.CloudWatchFixture.healthAlarm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustreha.local.cloud.Latency;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * The one metric math alarm the local CloudWatch models: {@code FILL(m, constant)} over one metric.
 * From the FILL row of "Metric math syntax and functions"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html): "Fills the
 * missing values of a time series"; in an alarm "FILL replaces that missing data point with the
 * requested value. That causes the latest data point for the metric to always be the FILL value";
 * PutMetricAlarm (API reference): with Metrics, none of Namespace, MetricName, Dimensions, Period,
 * Statistic; "Exactly one element of the metrics list must return data" (ReturnData); the sample
 * "State change for a metric math alarm" in "Alarm events and EventBridge" for the event's shape.
 */
class SimCloudWatchFillAlarmTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CloudWatchFixture f = new CloudWatchFixture(Latency.zero());

    private static MetricDataQuery metric() {
        return MetricDataQuery.builder().id("healthy").returnData(false)
                .metricStat(s -> s.metric(m -> m.namespace(CloudWatchFixture.NAMESPACE).metricName(CloudWatchFixture.METRIC)
                        .dimensions(CloudWatchFixture.ROLE)).stat("Minimum").period(10))
                .build();
    }

    private static MetricDataQuery expression(String expression) {
        return MetricDataQuery.builder().id("filled").expression(expression).returnData(true).build();
    }

    private static PutMetricAlarmRequest.Builder fillAlarm(String name) {
        return PutMetricAlarmRequest.builder().alarmName(name).metrics(metric(), expression("FILL(healthy, 0)"))
                .evaluationPeriods(3).datapointsToAlarm(3).threshold(1.0)
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD).treatMissingData("breaching");
    }

    /** Seconds from the metric falling silent (after its last datapoint at second 41) to ALARM. */
    private long silenceSeenAfter(String alarm) {
        f.publishEvery10s(1, 50);
        assertEquals(StateValue.OK, f.state(alarm));
        for (long t = 50; t <= 200; t += 10) {
            f.advanceTo(t);
            if (f.state(alarm) == StateValue.ALARM) {
                return t - 50;
            }
        }
        return -1;
    }

    /**
     * The reason the health alarms use FILL: a plain 3-of-3 alarm, missing data breaching, sees a
     * metric that falls silent only once fewer than 3 real datapoints are left in its evaluation
     * range of 5 periods (the page's table: "0 - - - -" stays OK for breaching); the FILL alarm
     * sees it after 3 silent periods, as it sees three 0s.
     */
    @Test
    void fillSeesSilenceTwoPeriodsSoonerThanTreatMissingDataAlone() {
        f.cw.putMetricAlarm(healthAlarm("plain").build());
        f.cw.putMetricAlarm(fillAlarm("filled").build());

        f.publishEvery10s(1, 50);
        assertEquals(StateValue.OK, f.state("plain"));
        assertEquals(StateValue.OK, f.state("filled"));
        long plain = -1;
        long filled = -1;
        for (long t = 60; t <= 200 && (plain < 0 || filled < 0); t += 10) {
            f.advanceTo(t);
            if (filled < 0 && f.state("filled") == StateValue.ALARM) {
                filled = t - 50;
            }
            if (plain < 0 && f.state("plain") == StateValue.ALARM) {
                plain = t - 50;
            }
        }
        assertEquals(30, filled, "3 silent periods");
        assertEquals(50, plain, "5 silent periods: the evaluation range runs out of real datapoints");
    }

    /** Unhealthy datapoints are judged as without FILL: three 0s raise it, one or two do not. */
    @Test
    void zerosRaiseItAfterThreeAndABlipDoesNot() {
        f.cw.putMetricAlarm(fillAlarm("filled").build());
        f.publishEvery10s(1, 50);
        f.publishEvery10s(0, 70);
        f.publishEvery10s(1, 120);
        assertEquals(StateValue.OK, f.state("filled"), "two unhealthy checks, then healthy again");
        f.publishEvery10s(0, 150);
        assertEquals(StateValue.ALARM, f.state("filled"));
    }

    /**
     * One silent period (a datapoint lost or late) is one breaching period: M of N forgives it, the
     * work-around the FILL row itself recommends.
     */
    @Test
    void oneMissingPeriodIsForgiven() {
        f.cw.putMetricAlarm(fillAlarm("filled").build());
        f.publishEvery10s(1, 50);
        f.advanceTo(61); // no datapoint at second 51
        f.publishEvery10s(1, 120);
        assertEquals(StateValue.OK, f.state("filled"));
        assertFalse(f.stateChanges().stream().anyMatch(e -> e.at("/detail/state/value").asText().equals("ALARM")));
    }

    /** The event and DescribeAlarms show the metric math configuration; reasonData names no statistic. */
    @Test
    void theEventCarriesTheExpressionAndTheFilledDatapoints() throws Exception {
        f.cw.putMetricAlarm(fillAlarm("filled").build());
        assertEquals(30, silenceSeenAfter("filled"));
        JsonNode raised = f.stateChanges().stream()
                .filter(e -> e.at("/detail/state/value").asText().equals("ALARM")).findFirst().orElseThrow();
        JsonNode metrics = raised.at("/detail/configuration/metrics");
        assertEquals(2, metrics.size());
        assertEquals("FILL(healthy, 0)", metrics.get(0).path("expression").asText());
        assertTrue(metrics.get(0).path("returnData").asBoolean());
        assertEquals("healthy", metrics.get(1).path("id").asText());
        assertFalse(metrics.get(1).path("returnData").asBoolean());
        assertEquals("Minimum", metrics.get(1).at("/metricStat/stat").asText());
        JsonNode data = JSON.readTree(raised.at("/detail/state/reasonData").asText());
        assertFalse(data.has("statistic"));
        assertEquals(10, data.path("period").asInt());
        assertEquals(3, data.path("evaluatedDatapoints").size());
        data.path("evaluatedDatapoints").forEach(p -> assertEquals(0.0, p.path("value").asDouble()));
        assertTrue(data.has("startDate"));
        var described = f.describe("filled");
        assertEquals(2, described.metrics().size());
        assertEquals(null, described.metricName());
    }

    /** A file system's first start: no datapoint ever, so nothing to fill; missing data breaching raises it. */
    @Test
    void aMetricThatNeverReportedIsJudgedByTreatMissingData() {
        f.cw.putMetricAlarm(fillAlarm("filled").build());
        f.advanceTo(20);
        assertEquals(StateValue.ALARM, f.state("filled"));
        f.cw.putMetricAlarm(fillAlarm("quiet").treatMissingData("missing").build());
        f.advanceTo(40);
        assertEquals(StateValue.INSUFFICIENT_DATA, f.state("quiet"));
    }

    @Test
    void onlyFillOverOneMetricIsModelledAndMetricsExcludeTheSingleMetricFields() {
        CloudWatchException both = assertThrows(CloudWatchException.class,
                () -> f.cw.putMetricAlarm(fillAlarm("x").metricName(CloudWatchFixture.METRIC).build()));
        assertTrue(both.getMessage().contains("cannot include"), both.getMessage());
        CloudWatchException twoReturn = assertThrows(CloudWatchException.class, () -> f.cw.putMetricAlarm(fillAlarm("y")
                .metrics(metric().toBuilder().returnData(true).build(), expression("FILL(healthy, 0)")).build()));
        assertTrue(twoReturn.getMessage().contains("Exactly one element"), twoReturn.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> f.cw.putMetricAlarm(fillAlarm("z")
                .metrics(metric(), expression("FILL(healthy, REPEAT)")).build()));
        assertThrows(UnsupportedOperationException.class, () -> f.cw.putMetricAlarm(fillAlarm("w")
                .metrics(metric(), expression("healthy * 2")).build()));
        CloudWatchException unknownId = assertThrows(CloudWatchException.class, () -> f.cw.putMetricAlarm(fillAlarm("v")
                .metrics(metric(), expression("FILL(other, 0)")).build()));
        assertTrue(unknownId.getMessage().contains("other"), unknownId.getMessage());
    }
}
