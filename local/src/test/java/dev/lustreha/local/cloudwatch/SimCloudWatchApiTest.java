package dev.lustreha.local.cloudwatch;

import static dev.lustreha.local.cloudwatch.CloudWatchFixture.healthAlarm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.local.cloud.Latency;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.InvalidFormatException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidNextTokenException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidParameterCombinationException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidParameterValueException;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.MissingRequiredParameterException;
import software.amazon.awssdk.services.cloudwatch.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * The API's rules as the CloudWatch API reference states them
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/ — PutMetricData,
 * PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState), with the error codes and exception
 * classes the SDK surfaces.
 */
class SimCloudWatchApiTest {

    private final CloudWatchFixture f = new CloudWatchFixture(Latency.zero());

    private static String code(Class<? extends CloudWatchException> type, Executable call) {
        CloudWatchException e = assertThrows(CloudWatchException.class, call);
        assertInstanceOf(type, e);
        return e.awsErrorDetails().errorCode();
    }

    private void put(Consumer<MetricDatum.Builder> datum) {
        f.cw.putMetricData(r -> r.namespace("LustreHA").metricData(d -> {
            d.metricName("Healthy").value(1.0);
            datum.accept(d);
        }));
    }

    // ---------------------------------------------------------------- PutMetricData

    @Test
    void putMetricDataChecksWhatTheReferenceStates() {
        // Namespaces starting with "AWS/" are reserved for AWS services.
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> f.cw.putMetricData(r -> r.namespace("AWS/EC2").metricData(d -> d.metricName("x").value(1.0)))));
        assertEquals("MissingParameter", code(MissingRequiredParameterException.class,
                () -> f.cw.putMetricData(r -> r.metricData(d -> d.metricName("x").value(1.0)))));
        assertEquals("MissingParameter", code(MissingRequiredParameterException.class,
                () -> f.cw.putMetricData(r -> r.namespace("LustreHA"))));
        // "You can use up to 30 dimensions per metric."
        List<Dimension> dims = IntStream.range(0, 31).mapToObj(i -> Dimension.builder().name("d" + i).value("v").build())
                .toList();
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class, () -> put(d -> d.dimensions(dims))));
        put(d -> d.dimensions(dims.subList(0, 30)));
        // "special values (for example, NaN, +Infinity, -Infinity) are not supported"; range -2^360 .. 2^360.
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class, () -> put(d -> d.value(Double.NaN))));
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> put(d -> d.value(Math.pow(2, 361)))));
        // Value and Values together; Values and Counts of different sizes; more than 150 values.
        assertEquals("InvalidParameterCombination", code(InvalidParameterCombinationException.class,
                () -> put(d -> d.values(1.0, 2.0))));
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> put(d -> d.value(null).values(1.0, 2.0).counts(1.0))));
        List<Double> many = IntStream.range(0, 151).mapToObj(i -> (double) i).toList();
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> put(d -> d.value(null).values(many))));
        // StorageResolution: "Valid values are 1 and 60."
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class, () -> put(d -> d.storageResolution(5))));
        // Time stamps "as much as two weeks before the current date, and as much as 2 hours after".
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> put(d -> d.timestamp(f.now().plusSeconds(3 * 3600)))));
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> put(d -> d.timestamp(f.now().minusSeconds(15 * 86400)))));
        // "Each request is also limited to no more than 1000 different metrics."
        List<MetricDatum> tooMany = IntStream.range(0, 1001)
                .mapToObj(i -> MetricDatum.builder().metricName("m" + i).value(1.0).build()).toList();
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> f.cw.putMetricData(r -> r.namespace("LustreHA").metricData(tooMany))));
        assertEquals("ValidationError", code(CloudWatchException.class, () -> put(d -> d.metricName(""))));
    }

    /** A rejected request stores nothing, even its valid datapoints. */
    @Test
    void aRejectedPutMetricDataStoresNothing() {
        assertThrows(InvalidParameterValueException.class, () -> f.cw.putMetricData(r -> r.namespace("LustreHA")
                .metricData(d -> d.metricName("Healthy").value(1.0), d -> d.metricName("Healthy").value(Double.NaN))));
        assertEquals(0, f.cloud.history().entries("CloudWatch.PutMetricData").size());
        assertTrue(f.cw.getMetricStatistics(r -> r.namespace("LustreHA").metricName("Healthy")
                .startTime(f.now().minusSeconds(60)).endTime(f.now().plusSeconds(60)).period(60)
                .statistics(Statistic.SUM)).datapoints().isEmpty());
        assertEquals("InvalidParameterValue", f.cloud.history().callLog().get(0).error());
    }

    @Test
    void injectedThrottlingFailsCallsWithThrottling() {
        f.cloud.faults().throttle(f.now(), f.now().plusSeconds(10), 1.0);
        CloudWatchException e = assertThrows(CloudWatchException.class, () -> put(d -> { }));
        assertEquals("Throttling", e.awsErrorDetails().errorCode());
        f.advanceTo(10);
        put(d -> { });
    }

    // ---------------------------------------------------------------- PutMetricAlarm

    /**
     * Period: "Valid values are 10, 20, 30, and any multiple of 60" (the current reference; earlier
     * editions said 10, 30 and multiples of 60), and Period x EvaluationPeriods at most a day.
     */
    @Test
    void putMetricAlarmAcceptsOnlyTheDocumentedPeriods() {
        for (int p : new int[] {10, 20, 30, 60, 120, 3600}) {
            f.cw.putMetricAlarm(healthAlarm("p" + p).period(p).evaluationPeriods(1).datapointsToAlarm(1).build());
        }
        for (int p : new int[] {1, 5, 15, 45, 90, 0}) {
            assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                    () -> f.cw.putMetricAlarm(healthAlarm("bad").period(p).build())), "period " + p);
        }
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("long").period(60).evaluationPeriods(1441).datapointsToAlarm(1).build())));
    }

    @Test
    void putMetricAlarmChecksItsParameters() {
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("m").evaluationPeriods(2).datapointsToAlarm(3).build())));
        assertEquals("InvalidParameterValue", code(InvalidParameterValueException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("t").treatMissingData("sometimes").build())));
        assertEquals("MissingParameter", code(MissingRequiredParameterException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("n").threshold(null).build())));
        assertEquals("MissingParameter", code(MissingRequiredParameterException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("s").statistic((Statistic) null).build())));
        assertEquals("ValidationError", code(CloudWatchException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("e").evaluationPeriods(0).build())));
        assertEquals("ValidationError", code(CloudWatchException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("c").comparisonOperator("Bigger").build())));
        assertTrue(f.cw.alarmNames().isEmpty(), "no rejected alarm was created");
        // What we do not model is refused, not ignored.
        assertThrows(UnsupportedOperationException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("a").alarmActions("arn:aws:sns:us-east-1:000000000000:t").build()));
        assertThrows(UnsupportedOperationException.class,
                () -> f.cw.putMetricAlarm(healthAlarm("x").statistic((Statistic) null).extendedStatistic("p99").build()));
        assertThrows(UnsupportedOperationException.class, () -> f.cw.listMetrics(r -> { }));
    }

    @Test
    void tagsAreKept() {
        f.cw.putMetricAlarm(healthAlarm("mds01-health").tags(t -> t.key("lustre-ha:role").value("mds01")).build());
        assertEquals("mds01", f.cw.tagsOf("mds01-health").get(0).value());
    }

    // ---------------------------------------------------------------- DescribeAlarms

    private void threeAlarms() {
        f.cw.putMetricAlarm(healthAlarm("scratch-mds01").build());
        f.cw.putMetricAlarm(healthAlarm("scratch-mds02").treatMissingData("missing").build());
        f.cw.putMetricAlarm(healthAlarm("scratch-oss01").build());
        f.advanceTo(10); // breaching alarms go to ALARM; the missing one stays INSUFFICIENT_DATA
    }

    private static List<String> names(DescribeAlarmsResponse r) {
        return r.metricAlarms().stream().map(MetricAlarm::alarmName).toList();
    }

    @Test
    void describeAlarmsFiltersByNamesPrefixAndState() {
        threeAlarms();
        assertEquals(List.of("scratch-mds01", "scratch-mds02", "scratch-oss01"), names(f.cw.describeAlarms(r -> { })));
        assertEquals(List.of("scratch-mds01", "scratch-oss01"),
                names(f.cw.describeAlarms(r -> r.alarmNames("scratch-oss01", "scratch-mds01", "nope"))));
        assertEquals(List.of("scratch-mds01", "scratch-mds02"), names(f.cw.describeAlarms(r -> r.alarmNamePrefix("scratch-mds"))));
        assertEquals(List.of("scratch-mds02"), names(f.cw.describeAlarms(r -> r.stateValue(StateValue.INSUFFICIENT_DATA))));
        assertEquals(List.of("scratch-oss01"),
                names(f.cw.describeAlarms(r -> r.alarmNamePrefix("scratch-o").stateValue(StateValue.ALARM))));
        assertTrue(f.cw.describeAlarms(r -> r.alarmTypesWithStrings("CompositeAlarm")).metricAlarms().isEmpty());
        assertEquals("InvalidParameterCombination", code(InvalidParameterCombinationException.class,
                () -> f.cw.describeAlarms(r -> r.alarmNames("scratch-mds01").alarmNamePrefix("scratch"))));
    }

    /** MaxRecords 1-100 (default 50); NextToken continues where the last page ended. */
    @Test
    void describeAlarmsPages() {
        threeAlarms();
        DescribeAlarmsResponse first = f.cw.describeAlarms(r -> r.maxRecords(2));
        assertEquals(List.of("scratch-mds01", "scratch-mds02"), names(first));
        assertNotNull(first.nextToken());
        DescribeAlarmsResponse second = f.cw.describeAlarms(r -> r.maxRecords(2).nextToken(first.nextToken()));
        assertEquals(List.of("scratch-oss01"), names(second));
        assertNull(second.nextToken());
        List<String> all = new ArrayList<>();
        f.cw.describeAlarmsPaginator(r -> r.maxRecords(1)).metricAlarms().forEach(a -> all.add(a.alarmName()));
        assertEquals(3, all.size(), "the SDK's paginator walks the pages");
        assertEquals("InvalidNextToken", code(InvalidNextTokenException.class,
                () -> f.cw.describeAlarms(r -> r.nextToken("not-a-token"))));
        assertEquals("ValidationError", code(CloudWatchException.class, () -> f.cw.describeAlarms(r -> r.maxRecords(101))));
        assertEquals("ValidationError", code(CloudWatchException.class, () -> f.cw.describeAlarms(r -> r.maxRecords(0))));
    }

    // ---------------------------------------------------------------- DeleteAlarms, SetAlarmState

    @Test
    void deleteAlarmsRemovesThemAndStopsTheirEvaluation() {
        threeAlarms();
        int events = f.stateChanges().size();
        assertEquals(2, events);
        f.cw.deleteAlarms(r -> r.alarmNames("scratch-mds01", "scratch-oss01"));
        assertEquals(List.of("scratch-mds02"), f.cw.alarmNames());
        f.publishEvery10s(1, 60);
        f.cw.putMetricAlarm(healthAlarm("scratch-mds01").build());
        assertEquals(StateValue.INSUFFICIENT_DATA, f.state("scratch-mds01"), "a new alarm under an old name starts afresh");
        List<String> later = f.stateChanges().subList(events, f.stateChanges().size()).stream()
                .map(e -> e.at("/detail/alarmName").asText() + ":" + e.at("/detail/state/value").asText()).toList();
        assertEquals(List.of("scratch-mds02:OK"), later, "deleted alarms are no longer evaluated; the kept one is");
        assertEquals(2, f.cloud.history().entries("CloudWatch.DeleteAlarm").size());
    }

    @Test
    void deletingAnUnknownAlarmFailsAndDeletesNothing() {
        threeAlarms();
        assertEquals("ResourceNotFound", code(ResourceNotFoundException.class,
                () -> f.cw.deleteAlarms(r -> r.alarmNames("scratch-mds01", "nope"))));
        assertEquals(3, f.cw.alarmNames().size());
        assertEquals("MissingParameter", code(MissingRequiredParameterException.class, () -> f.cw.deleteAlarms(r -> { })));
    }

    @Test
    void setAlarmStateChecksItsParameters() {
        threeAlarms();
        assertEquals("ResourceNotFound", code(ResourceNotFoundException.class, () -> f.cw.setAlarmState(r -> r
                .alarmName("nope").stateValue(StateValue.OK).stateReason("x"))));
        assertEquals("InvalidFormat", code(InvalidFormatException.class, () -> f.cw.setAlarmState(r -> r
                .alarmName("scratch-mds01").stateValue(StateValue.OK).stateReason("x").stateReasonData("{not json"))));
        assertEquals("MissingParameter", code(MissingRequiredParameterException.class, () -> f.cw.setAlarmState(r -> r
                .alarmName("scratch-mds01").stateValue(StateValue.OK))));
        assertEquals(StateValue.ALARM, f.state("scratch-mds01"));
    }
}
