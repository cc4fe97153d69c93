package dev.lustreha.local.cloudwatch;

import static dev.lustreha.local.cloudwatch.CloudWatchFixture.healthAlarm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * Alarms evaluated on the virtual clock, from "Using Amazon CloudWatch alarms"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html) and
 * "Alarm events and EventBridge"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
 * With {@link Latency#zero()} an evaluation runs on its boundary (no evaluation delay).
 */
class SimCloudWatchAlarmTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CloudWatchFixture f = new CloudWatchFixture(Latency.zero());

    /** "INSUFFICIENT_DATA – The alarm has just started"; the reason of the sample event's previousState. */
    @Test
    void aNewAlarmStartsInInsufficientData() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        var alarm = f.describe("mds01-health");
        assertEquals(StateValue.INSUFFICIENT_DATA, alarm.stateValue());
        assertEquals("Unchecked: Initial alarm creation", alarm.stateReason());
        assertEquals("arn:aws:cloudwatch:us-east-1:000000000000:alarm:mds01-health", alarm.alarmArn());
        assertEquals(3, alarm.datapointsToAlarm());
        assertEquals("breaching", alarm.treatMissingData());
    }

    /**
     * "If the alarm period is 10 seconds or 30 seconds, the alarm is evaluated every 10 seconds"; "for
     * any period of one minute or longer, an alarm is evaluated every minute", over a window of the
     * period that slides with each evaluation ("at the end of minute 6, the alarm is evaluated based
     * on the data from minutes 2 to 6"). So an unhealthy datapoint is judged at the first evaluation
     * after it, not at the end of a period-aligned bucket. A 20 s period (valid in the current
     * PutMetricAlarm reference) is taken to be evaluated every 10 s too.
     */
    @ParameterizedTest(name = "period {0}")
    @CsvSource({"10, 10", "20, 10", "30, 10", "60, 60", "120, 60"})
    void anAlarmJudgesADatapointAtTheNextEvaluationOfItsCadence(int period, int cadence) {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").period(period).evaluationPeriods(1).datapointsToAlarm(1)
                .treatMissingData("notBreaching").build());
        long at = period + 2;
        f.advanceTo(at);
        assertEquals(StateValue.OK, f.state("mds01-health"));
        f.put(0);
        long judged = (at / cadence + 1) * cadence;
        f.advanceTo(judged - 1);
        assertEquals(StateValue.OK, f.state("mds01-health"));
        f.advanceTo(judged);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        // "CloudWatch alarms might repeatedly re-evaluate the last set of data points for a period of
        // time after the metric has stopped flowing": the lone datapoint is the most recent real one
        // until it leaves the evaluation range (3 periods for 1), then notBreaching makes it OK.
        long leaves = ((4L * period + 2) / cadence + 1) * cadence;
        f.advanceTo(leaves - 1);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        f.advanceTo(leaves);
        assertEquals(StateValue.OK, f.state("mds01-health"));
    }

    /** Between cadence ticks nothing is judged: a 60 s alarm does not react at second 10, 20, ... */
    @Test
    void aOneMinuteAlarmIsNotEvaluatedBetweenMinutes() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").period(60).evaluationPeriods(1).datapointsToAlarm(1).build());
        f.advanceTo(59);
        assertEquals(StateValue.INSUFFICIENT_DATA, f.state("mds01-health"));
        assertEquals(0, f.cloud.history().entries("CloudWatch.AlarmStateChange").size());
    }

    /**
     * "Datapoints to Alarm is the number of data points within the Evaluation Periods that must be
     * breaching ... The breaching data points don't have to be consecutive": 2 out of 3.
     */
    @Test
    void mOutOfNNeedsMBreachingDatapointsAmongTheLastN() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").datapointsToAlarm(2).treatMissingData("notBreaching").build());
        f.publishEvery10s(1, 31);
        assertEquals(StateValue.OK, f.state("mds01-health"));
        f.put(0);          // [30, 40) breaching
        f.advanceTo(41);
        f.put(1);          // [40, 50) fine
        f.advanceTo(50);
        assertEquals(StateValue.OK, f.state("mds01-health"), "1 of the last 3 breaching");
        f.advanceTo(51);
        f.put(0);          // [50, 60) breaching: 2 of the last 3, not consecutive
        f.advanceTo(60);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
    }

    /**
     * breaching, "CloudWatch uses missing data points only as few times as possible": once the agent
     * stops, real healthy datapoints keep the alarm OK while they are in the evaluation range (5
     * periods for 3); it alarms when the last one has left it.
     */
    @Test
    void aMetricThatStopsAlarmsOnceItsLastDatapointLeavesTheEvaluationRange() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        f.publishEvery10s(1, 40);       // datapoints in [0,10) .. [30,40)
        assertEquals(StateValue.OK, f.state("mds01-health"));
        f.advanceTo(80);                // range [30, 80): one real healthy datapoint, two breaching fills
        assertEquals(StateValue.OK, f.state("mds01-health"));
        f.advanceTo(90);                // range [40, 90): nothing real
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        assertTrue(f.describe("mds01-health").stateReason().startsWith("Threshold Crossed: no datapoints were received"));
    }

    /** Row 3 of the tables: all missing, breaching -> ALARM, even if the metric never existed. */
    @Test
    void breachingWithNoDataAtAllAlarmsAtTheFirstEvaluation() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        f.advanceTo(10);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
    }

    /** A late-starting metric: an alarm created before its agent runs alarms, then recovers when data flows. */
    @Test
    void aLateStartingMetricTurnsABreachingAlarmOk() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        f.advanceTo(10);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        f.publishEvery10s(1, 20);      // one healthy datapoint in [10, 20): 1 real + 2 breaching fills < 3
        assertEquals(StateValue.OK, f.state("mds01-health"));
        assertEquals(List.of("ALARM", "OK"),
                f.stateChanges().stream().map(e -> e.at("/detail/state/value").asText()).toList());
    }

    /** Row 3 for the other three settings: missing -> INSUFFICIENT_DATA, notBreaching -> OK, ignore -> kept. */
    @Test
    void noDataAtAllUnderTheOtherSettings() {
        f.cw.putMetricAlarm(healthAlarm("missing").treatMissingData("missing").build());
        f.cw.putMetricAlarm(healthAlarm("default").treatMissingData(null).build());
        f.cw.putMetricAlarm(healthAlarm("not-breaching").treatMissingData("notBreaching").build());
        f.cw.putMetricAlarm(healthAlarm("ignore").treatMissingData("ignore").build());
        f.advanceTo(60);
        assertEquals(StateValue.INSUFFICIENT_DATA, f.state("missing"));
        assertEquals("missing", f.describe("default").treatMissingData(), "the default is missing");
        assertEquals(StateValue.INSUFFICIENT_DATA, f.state("default"));
        assertEquals(StateValue.OK, f.state("not-breaching"));
        assertEquals(StateValue.INSUFFICIENT_DATA, f.state("ignore"));
    }

    /** ignore: "The current alarm state is maintained" when data stops, whatever it was. */
    @Test
    void ignoreKeepsTheStateWhenDataStops() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").treatMissingData("ignore").build());
        f.publishEvery10s(0, 30);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        f.advanceTo(600);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        f.cw.putMetricAlarm(healthAlarm("other").treatMissingData("missing").build());
        f.publishEvery10s(1, 640);
        f.advanceTo(1200);
        assertEquals(StateValue.INSUFFICIENT_DATA, f.state("other"), "missing: nothing in the range");
    }

    /**
     * PutMetricAlarm reference: a period of 10, 20 or 30 "for a metric that does not have sub-minute
     * resolution ... does not receive data for the attempts that do not correspond to a one-minute data
     * resolution, and the alarm might often lapse into INSUFFICIENT_DATA status".
     */
    @Test
    void aTenSecondAlarmOnAStandardResolutionMetricLapsesIntoInsufficientData() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").evaluationPeriods(1).datapointsToAlarm(1)
                .treatMissingData("missing").build());
        List<String> states = new java.util.ArrayList<>();
        for (int s = 1; s < 120; s += 10) {
            f.advanceTo(s);
            f.put(1, 60);              // stored at the minute: only [0, 10) and [60, 70) hold data
            f.advanceTo(s + 9);
            states.add(f.state("mds01-health").toString());
        }
        // Seen at seconds 10, 20, ...: the minute's one datapoint stays in the 3-period range for 30 s,
        // then the alarm lapses until the next minute's datapoint.
        assertEquals(List.of("OK", "OK", "OK", "INSUFFICIENT_DATA", "INSUFFICIENT_DATA", "INSUFFICIENT_DATA",
                "OK", "OK", "OK"), states.subList(0, 9));
    }

    /** The statistic over every datapoint in a period: Minimum catches one unhealthy sample among healthy ones. */
    @Test
    void theStatisticIsComputedOverEveryDatapointInThePeriod() {
        f.cw.putMetricAlarm(healthAlarm("min").evaluationPeriods(1).datapointsToAlarm(1).build());
        f.cw.putMetricAlarm(healthAlarm("avg").statistic(Statistic.AVERAGE).threshold(0.5).evaluationPeriods(1)
                .datapointsToAlarm(1).build());
        f.advanceTo(1);
        f.put(1);
        f.advanceTo(3);
        f.put(0);
        f.advanceTo(5);
        f.cw.putMetricData(r -> r.namespace(CloudWatchFixture.NAMESPACE).metricData(d -> d
                .metricName(CloudWatchFixture.METRIC).dimensions(CloudWatchFixture.ROLE).values(1.0).counts(2.0)
                .storageResolution(1)));
        f.advanceTo(10);
        assertEquals(StateValue.ALARM, f.state("min"));
        assertEquals(StateValue.OK, f.state("avg"), "(1 + 0 + 2 x 1) / 4 = 0.75");
        List<Datapoint> points = f.cw.getMetricStatistics(r -> r.namespace(CloudWatchFixture.NAMESPACE)
                .metricName(CloudWatchFixture.METRIC).dimensions(CloudWatchFixture.ROLE).startTime(f.now().minusSeconds(10))
                .endTime(f.now()).period(10).statistics(Statistic.AVERAGE, Statistic.SAMPLE_COUNT, Statistic.MINIMUM))
                .datapoints();
        assertEquals(1, points.size());
        assertEquals(0.75, points.get(0).average());
        assertEquals(4.0, points.get(0).sampleCount());
        assertEquals(0.0, points.get(0).minimum());
    }

    /** An alarm matches its metric's full set of dimensions only: another role's data is not its data. */
    @Test
    void anAlarmSeesOnlyItsOwnDimensions() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        for (int s = 1; s < 60; s += 10) {
            f.advanceTo(s);
            f.cw.putMetricData(r -> r.namespace(CloudWatchFixture.NAMESPACE).metricData(d -> d
                    .metricName(CloudWatchFixture.METRIC).dimensions(x -> x.name("Role").value("mds02")).value(1.0)
                    .storageResolution(1)));
        }
        f.advanceTo(60);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
    }

    /**
     * "You can test an alarm by setting it to any state using SetAlarmState ... This temporary state
     * change lasts only until the next alarm comparison occurs." Both changes are announced.
     */
    @Test
    void setAlarmStateLastsUntilTheNextEvaluation() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        f.publishEvery10s(1, 21);
        assertEquals(StateValue.OK, f.state("mds01-health"));
        f.cw.setAlarmState(r -> r.alarmName("mds01-health").stateValue(StateValue.ALARM).stateReason("testing")
                .stateReasonData("{\"by\":\"test\"}"));
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        assertEquals("testing", f.describe("mds01-health").stateReason());
        f.publishEvery10s(1, 30);
        assertEquals(StateValue.OK, f.state("mds01-health"));
        List<JsonNode> changes = f.stateChanges();
        assertEquals(List.of("OK", "ALARM", "OK"), changes.stream().map(e -> e.at("/detail/state/value").asText()).toList());
        assertEquals("testing", changes.get(1).at("/detail/state/reason").asText());
        assertEquals("{\"by\":\"test\"}", changes.get(1).at("/detail/state/reasonData").asText());
    }

    /** "When you update an existing alarm, its state is left unchanged" (PutMetricAlarm reference). */
    @Test
    void updatingAnAlarmKeepsItsState() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        f.advanceTo(10);
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        f.cw.putMetricAlarm(healthAlarm("mds01-health").alarmDescription("updated").build());
        assertEquals(StateValue.ALARM, f.state("mds01-health"));
        assertEquals("updated", f.describe("mds01-health").alarmDescription());
    }

    /**
     * The event, in the shape of the single-metric sample in "Alarm events and EventBridge", and
     * the StateReasonData AWS writes (evaluatedDatapoints newest first, each with its timestamp).
     */
    @Test
    void aTransitionPublishesTheStateChangeEventEventBridgeDelivers() throws Exception {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").alarmDescription("mds01 is unhealthy").build());
        f.publishEvery10s(1, 21);
        f.publishEvery10s(0, 50);
        List<JsonNode> changes = f.stateChanges();
        assertEquals(2, changes.size());
        JsonNode e = changes.get(1);
        assertEquals("0", e.path("version").asText());
        assertEquals("aws.cloudwatch", e.path("source").asText());
        assertEquals("CloudWatch Alarm State Change", e.path("detail-type").asText());
        assertEquals("000000000000", e.path("account").asText());
        assertEquals("us-east-1", e.path("region").asText());
        assertEquals("2026-01-01T00:00:50Z", e.path("time").asText());
        assertEquals("arn:aws:cloudwatch:us-east-1:000000000000:alarm:mds01-health", e.path("resources").get(0).asText());
        JsonNode d = e.path("detail");
        assertEquals("mds01-health", d.path("alarmName").asText());
        assertEquals("ALARM", d.at("/state/value").asText());
        assertEquals("2026-01-01T00:00:50.000+0000", d.at("/state/timestamp").asText());
        assertEquals("OK", d.at("/previousState/value").asText());
        assertTrue(d.at("/state/reason").asText().startsWith("Threshold Crossed: 3 out of the last 3 datapoints [0.0 "
                + "(01/01/26 00:00:40), 0.0 (01/01/26 00:00:30), 0.0 (01/01/26 00:00:20)] were less than the threshold "
                + "(1.0) (minimum 3 datapoints for OK -> ALARM transition)."), d.at("/state/reason").asText());
        assertEquals("mds01 is unhealthy", d.at("/configuration/description").asText());
        JsonNode metric = d.at("/configuration/metrics/0");
        assertEquals("mds01", metric.at("/metricStat/metric/dimensions/Role").asText());
        assertEquals("Healthy", metric.at("/metricStat/metric/name").asText());
        assertEquals("LustreHA", metric.at("/metricStat/metric/namespace").asText());
        assertEquals(10, metric.at("/metricStat/period").asInt());
        assertEquals("Minimum", metric.at("/metricStat/stat").asText());
        assertTrue(metric.path("returnData").asBoolean());
        assertFalse(metric.path("id").asText().isEmpty());

        JsonNode data = JSON.readTree(d.at("/state/reasonData").asText());
        assertEquals("1.0", data.path("version").asText());
        assertEquals("2026-01-01T00:00:50.000+0000", data.path("queryDate").asText());
        assertEquals("2026-01-01T00:00:20.000+0000", data.path("startDate").asText());
        assertEquals("Minimum", data.path("statistic").asText());
        assertEquals(10, data.path("period").asInt());
        assertEquals(1.0, data.path("threshold").asDouble());
        assertEquals(3, data.path("recentDatapoints").size());
        JsonNode points = data.path("evaluatedDatapoints");
        assertEquals(List.of("2026-01-01T00:00:40.000+0000", "2026-01-01T00:00:30.000+0000", "2026-01-01T00:00:20.000+0000"),
                List.of(points.get(0).path("timestamp").asText(), points.get(1).path("timestamp").asText(),
                        points.get(2).path("timestamp").asText()));
        assertEquals(0.0, points.get(0).path("value").asDouble());
        assertEquals(1.0, points.get(0).path("sampleCount").asDouble());
        // The previous state carries its own reason data: the OK evaluation it came from.
        assertEquals("OK", d.at("/previousState/value").asText());
        assertFalse(d.at("/previousState/reasonData").asText().isEmpty());
    }

    /** An INSUFFICIENT_DATA evaluation lists the unknown periods' timestamps and no values. */
    @Test
    void anInsufficientDataEvaluationListsTheUnknownPeriods() throws Exception {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").treatMissingData("missing").build());
        f.publishEvery10s(1, 21);
        f.advanceTo(200);
        JsonNode last = f.stateChanges().get(f.stateChanges().size() - 1).path("detail");
        assertEquals("INSUFFICIENT_DATA", last.at("/state/value").asText());
        assertEquals("Insufficient Data: 5 datapoints were unknown.", last.at("/state/reason").asText());
        JsonNode data = JSON.readTree(last.at("/state/reasonData").asText());
        assertEquals(5, data.path("evaluatedDatapoints").size());
        assertNull(data.path("evaluatedDatapoints").get(0).get("value"));
        assertTrue(data.path("startDate").isMissingNode());
    }

    /** Every transition and every datum is in the history the invariants read. */
    @Test
    void transitionsAndDataAreRecordedInTheHistory() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        f.publishEvery10s(1, 21);
        List<History.Entry> puts = f.cloud.history().entries("CloudWatch.PutMetricData");
        assertEquals(2, puts.size());
        assertEquals("Role=mds01", puts.get(0).get("dimensions"));
        assertEquals("1.0", puts.get(0).get("minimum"));
        List<History.Entry> changes = f.cloud.history().entries("CloudWatch.AlarmStateChange");
        assertEquals(1, changes.size());
        assertEquals("INSUFFICIENT_DATA", changes.get(0).get("from"));
        assertEquals("OK", changes.get(0).get("to"));
        assertEquals("evaluation", changes.get(0).get("cause"));
        assertEquals(1L, f.cloud.history().calls().get("CloudWatch.PutMetricAlarm"));
    }

    /** With the AWS-like delays a 10 s alarm is evaluated 5 s after its window ends. */
    @Test
    void withAwsDelaysAnEvaluationRunsAfterItsWindow() throws Exception {
        CloudWatchFixture aws = new CloudWatchFixture(Latency.aws());
        aws.cw.putMetricAlarm(healthAlarm("mds01-health").build());
        aws.advanceTo(14);
        assertEquals(StateValue.INSUFFICIENT_DATA, aws.state("mds01-health"));
        aws.advanceTo(15);
        assertEquals(StateValue.ALARM, aws.state("mds01-health"));
        JsonNode data = JSON.readTree(aws.describe("mds01-health").stateReasonData());
        assertEquals("2026-01-01T00:00:15.000+0000", data.path("queryDate").asText());
        assertEquals("2026-01-01T00:00:00.000+0000", data.path("evaluatedDatapoints").get(0).path("timestamp").asText());
    }

    /** Same seed, same calls: the same events, ids included. */
    @Test
    void runsAreReproducible() {
        assertEquals(script(7), script(7));
    }

    private static List<String> script(long seed) {
        CloudWatchFixture run = new CloudWatchFixture(seed, Latency.aws());
        run.cw.putMetricAlarm(healthAlarm("mds01-health").comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD).build());
        run.publishEvery10s(1, 100);
        run.publishEvery10s(0, 200);
        run.advanceTo(400);
        return run.cloud.bus().published().stream().map(JsonNode::toString).toList();
    }
}
