package dev.lustreha.local.cloudwatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustreha.local.cloud.EventBus;
import dev.lustreha.local.cloud.Faults;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.SimClock;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Rule;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Slot;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.State;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Verdict;
import dev.lustreha.local.cloudwatch.AlarmEvents.MetricConfig;
import dev.lustreha.local.cloudwatch.AlarmEvents.StateRecord;
import dev.lustreha.local.cloudwatch.MetricStore.Aggregate;
import dev.lustreha.local.cloudwatch.MetricStore.MetricKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.DeleteAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DeleteAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmResponse;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.SetAlarmStateRequest;
import software.amazon.awssdk.services.cloudwatch.model.SetAlarmStateResponse;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Tag;

/**
 * A simulated Amazon CloudWatch behind the SDK's {@link CloudWatchClient} interface, for the subset
 * lustre-ha calls: PutMetricData, metric alarms on one metric (PutMetricAlarm, DescribeAlarms,
 * DeleteAlarms, SetAlarmState) evaluated on the virtual clock, GetMetricStatistics, and the
 * "CloudWatch Alarm State Change" events EventBridge delivers. Any other operation, and any
 * parameter we do not model (metric math, percentiles, alarm actions, units on alarms), throws
 * {@link UnsupportedOperationException}, so nothing unmodelled is silently accepted.
 *
 * <p>Evaluation follows "Using Amazon CloudWatch alarms"
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html): an alarm with
 * a period of 10, 20 or 30 seconds is evaluated every 10 seconds, any other every minute, each
 * time over sliding windows of its period that end at the evaluation boundary ("at the end of
 * minute 6, the alarm is evaluated based on the data from minutes 2 to 6"); the rule itself is
 * {@link AlarmEvaluation}. How late an evaluation runs after its boundary, and so how long a
 * datapoint has to arrive, is {@link Delays}.
 *
 * <p>The class is over 400 lines because it holds one API whose operations share the alarm table,
 * its validation and its scheduling; the rule, the store and the JSON live in their own classes.
 */
public final class SimCloudWatch implements CloudWatchClient {

    /**
     * How long after a window's end its evaluation runs. AWS documents no figure; its sample event
     * in "Alarm events and EventBridge" has queryDate 17:04:40.985 for a 300 s window ending 17:04:00
     * (about 41 s), and an AWS answer on re:Post ("can we trigger cloudwatch alarm immediately")
     * speaks of "a few seconds delay for the data to become available to the alarm" for 10 s alarms.
     * {@link #aws()} takes 5 s and 40 s; {@link #none()} is kinder than AWS: evaluated on the boundary.
     */
    public record Delays(Duration highResolution, Duration standard) {
        public static Delays none() {
            return new Delays(Duration.ZERO, Duration.ZERO);
        }

        public static Delays aws() {
            return new Delays(Duration.ofSeconds(5), Duration.ofSeconds(40));
        }

        Duration of(int period) {
            return period < 60 ? highResolution : standard;
        }
    }

    static final String INITIAL_REASON = "Unchecked: Initial alarm creation";
    static final int MAX_METRIC_DATA = 1000;
    static final int MAX_VALUES = 150;
    static final int MAX_DIMENSIONS = 30;
    static final int MAX_TAGS = 50;
    static final int MAX_ALARM_NAMES = 100;
    static final double MAX_MAGNITUDE = Math.pow(2, 360);
    static final Duration OLDEST_TIMESTAMP = Duration.ofDays(14);
    static final Duration NEWEST_TIMESTAMP = Duration.ofHours(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimClock clock;
    private final History history;
    private final Faults faults;
    private final EventBus bus;
    private final Delays delays;
    private final MetricStore store = new MetricStore();
    /** By name: DescribeAlarms lists alarms in name order. */
    private final TreeMap<String, Alarm> alarms = new TreeMap<>();

    private final class Alarm {
        final String name;
        final String arn;
        final String metricId;
        final PutMetricAlarmRequest config;
        final AlarmRequests.Watched watched;
        final MetricKey metric;
        final Rule rule;
        final Instant configUpdated;
        StateRecord state;
        Instant transitioned;
        SimClock.Timer timer;

        Alarm(PutMetricAlarmRequest config, AlarmRequests.Definition definition, Alarm previous) {
            this.name = config.alarmName();
            this.arn = "arn:aws:cloudwatch:" + EventBus.REGION + ":" + EventBus.ACCOUNT + ":alarm:" + name;
            this.metricId = previous != null ? previous.metricId
                    : new UUID(faults.random().nextLong(), faults.random().nextLong()).toString();
            this.config = config;
            this.watched = definition.watched();
            this.metric = key(watched.namespace(), watched.metricName(), watched.dimensions());
            this.rule = definition.rule();
            this.configUpdated = clock.now();
            // "When you update an existing alarm, its state is left unchanged" (PutMetricAlarm reference).
            this.state = previous != null ? previous.state
                    : new StateRecord(State.INSUFFICIENT_DATA, INITIAL_REASON, null, clock.now());
            this.transitioned = previous != null ? previous.transitioned : clock.now();
        }

        int period() {
            return watched.period();
        }
    }

    public SimCloudWatch(SimClock clock, History history, Faults faults, EventBus bus, Delays delays) {
        this.clock = clock;
        this.history = history;
        this.faults = faults;
        this.bus = bus;
        this.delays = delays;
    }

    @Override
    public String serviceName() {
        return "monitoring";
    }

    @Override
    public void close() {
        // Nothing to release: the simulation lives as long as its owner keeps it.
    }

    // ---------------------------------------------------------------- metrics

    @Override
    public PutMetricDataResponse putMetricData(PutMetricDataRequest request) {
        return api("PutMetricData", () -> {
            if (request.hasEntityMetricData() && !request.entityMetricData().isEmpty()) {
                throw new UnsupportedOperationException("EntityMetricData is not modelled");
            }
            String namespace = request.namespace();
            requireName(namespace, "Namespace", 255);
            if (namespace.startsWith("AWS/")) {
                throw CloudWatchErrors.invalidParameter("The value " + namespace + " for parameter Namespace is invalid.");
            }
            if (!request.hasMetricData() || request.metricData().isEmpty()) {
                throw CloudWatchErrors.missingParameter("MetricData");
            }
            if (request.metricData().size() > MAX_METRIC_DATA) {
                throw CloudWatchErrors.invalidParameter("The collection MetricData must not have a size greater than "
                        + MAX_METRIC_DATA + ".");
            }
            // Validate every datum before storing any: a rejected request stores nothing.
            List<Runnable> stores = new ArrayList<>();
            for (int i = 0; i < request.metricData().size(); i++) {
                stores.add(datum(namespace, request.metricData().get(i), "MetricData.member." + (i + 1)));
            }
            stores.forEach(Runnable::run);
            return PutMetricDataResponse.builder().build();
        });
    }

    /** Validates one datum and returns what stores it. */
    private Runnable datum(String namespace, MetricDatum d, String member) {
        requireName(d.metricName(), member + ".MetricName", 255);
        List<Dimension> dims = dimensions(d.dimensions(), member + ".Dimensions");
        boolean values = d.hasValues() && !d.values().isEmpty();
        if (d.value() != null && values) {
            throw CloudWatchErrors.combination("The parameters " + member + ".Value and " + member
                    + ".Values are mutually exclusive and you have specified both.");
        }
        if (d.statisticValues() != null && (d.value() != null || values)) {
            throw CloudWatchErrors.combination("The parameters " + member + ".StatisticValues and " + member
                    + (d.value() != null ? ".Value" : ".Values") + " are mutually exclusive and you have specified both.");
        }
        Aggregate aggregate;
        if (d.value() != null) {
            aggregate = Aggregate.of(value(d.value(), member + ".Value"));
        } else if (values) {
            aggregate = valuesAndCounts(d, member);
        } else if (d.statisticValues() != null) {
            var s = d.statisticValues();
            if (s.sampleCount() == null || s.sum() == null || s.minimum() == null || s.maximum() == null) {
                throw CloudWatchErrors.missingParameter(member + ".StatisticValues (SampleCount, Sum, Minimum and Maximum)");
            }
            if (value(s.sampleCount(), member + ".StatisticValues.SampleCount") <= 0
                    || value(s.minimum(), member + ".StatisticValues.Minimum")
                    > value(s.maximum(), member + ".StatisticValues.Maximum")) {
                throw CloudWatchErrors.invalidParameter("The parameter " + member
                        + ".StatisticValues must have a positive SampleCount and a Minimum no greater than its Maximum.");
            }
            aggregate = new Aggregate(s.sampleCount(), value(s.sum(), member + ".StatisticValues.Sum"), s.minimum(),
                    s.maximum());
        } else {
            throw CloudWatchErrors.combination("At least one of the parameters " + member + ".Value, " + member
                    + ".StatisticValues or " + member + ".Values must be specified.");
        }
        int resolution = d.storageResolution() == null ? 60 : d.storageResolution();
        if (resolution != 1 && resolution != 60) {
            throw CloudWatchErrors.invalidParameter("The value " + resolution + " for parameter " + member
                    + ".StorageResolution is invalid. Valid values are 1 and 60.");
        }
        Instant now = clock.now();
        Instant timestamp = d.timestamp() == null ? now : d.timestamp();
        // PutMetricData reference: "as much as two weeks before the current date, and as much as 2 hours after".
        if (timestamp.isBefore(now.minus(OLDEST_TIMESTAMP)) || timestamp.isAfter(now.plus(NEWEST_TIMESTAMP))) {
            throw CloudWatchErrors.invalidParameter("The parameter " + member + ".Timestamp must specify a time within "
                    + "the past two weeks and no more than two hours in the future.");
        }
        MetricKey key = key(namespace, d.metricName(), dims);
        return () -> {
            store.put(key, timestamp, resolution, aggregate, now);
            history.record("CloudWatch.PutMetricData", "namespace", namespace, "metric", d.metricName(),
                    "dimensions", describe(key.dimensions()), "timestamp", timestamp.toString(),
                    "resolution", Integer.toString(resolution), "sampleCount", Double.toString(aggregate.sampleCount()),
                    "sum", Double.toString(aggregate.sum()), "minimum", Double.toString(aggregate.minimum()),
                    "maximum", Double.toString(aggregate.maximum()));
        };
    }

    private static Aggregate valuesAndCounts(MetricDatum d, String member) {
        if (d.values().size() > MAX_VALUES) {
            throw CloudWatchErrors.invalidParameter("The collection " + member + ".Values must not have a size greater than "
                    + MAX_VALUES + ".");
        }
        boolean counts = d.hasCounts() && !d.counts().isEmpty();
        if (counts && d.counts().size() != d.values().size()) {
            throw CloudWatchErrors.invalidParameter("The parameters " + member + ".Values and " + member
                    + ".Counts must be of the same size.");
        }
        Aggregate total = null;
        for (int i = 0; i < d.values().size(); i++) {
            double v = value(d.values().get(i), member + ".Values.member." + (i + 1));
            // "If you omit the Counts array, the default of 1 is used as the value for each count."
            double c = counts ? value(d.counts().get(i), member + ".Counts.member." + (i + 1)) : 1;
            if (c <= 0) {
                throw CloudWatchErrors.invalidParameter("The value " + c + " for parameter " + member + ".Counts.member."
                        + (i + 1) + " is invalid.");
            }
            Aggregate a = new Aggregate(c, v * c, v, v);
            total = total == null ? a : total.plus(a);
        }
        return total;
    }

    /** "Values must be in the range of -2^360 to 2^360. In addition, special values (NaN, +Infinity, -Infinity) are not supported." */
    private static double value(Double v, String member) {
        if (v == null || v.isNaN() || v.isInfinite() || Math.abs(v) > MAX_MAGNITUDE) {
            throw CloudWatchErrors.invalidParameter("The value " + v + " for parameter " + member + " is invalid.");
        }
        return v;
    }

    @Override
    public GetMetricStatisticsResponse getMetricStatistics(GetMetricStatisticsRequest request) {
        return api("GetMetricStatistics", () -> {
            requireName(request.namespace(), "Namespace", 255);
            requireName(request.metricName(), "MetricName", 255);
            if (request.startTime() == null) {
                throw CloudWatchErrors.missingParameter("StartTime");
            }
            if (request.endTime() == null) {
                throw CloudWatchErrors.missingParameter("EndTime");
            }
            if (!request.startTime().isBefore(request.endTime())) {
                throw CloudWatchErrors.invalidParameter("The parameter StartTime must be less than the parameter EndTime.");
            }
            Integer period = request.period();
            if (period == null) {
                throw CloudWatchErrors.missingParameter("Period");
            }
            // GetMetricStatistics reference: 1, 5, 10, 30, 60, or any multiple of 60.
            if (period <= 0 || (period % 60 != 0 && period != 1 && period != 5 && period != 10 && period != 30)) {
                throw CloudWatchErrors.invalidParameter("The parameter Period must be 1, 5, 10, 30, 60 or a multiple of 60.");
            }
            if (request.hasExtendedStatistics() && !request.extendedStatistics().isEmpty()) {
                throw new UnsupportedOperationException("ExtendedStatistics (percentiles) are not modelled");
            }
            if (!request.hasStatistics() || request.statistics().isEmpty()) {
                throw CloudWatchErrors.missingParameter("Statistics");
            }
            if (request.statistics().contains(Statistic.UNKNOWN_TO_SDK_VERSION)) {
                throw CloudWatchErrors.validation(request.statisticsAsStrings().toString(), "statistics",
                        "Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]");
            }
            long points = Duration.between(request.startTime(), request.endTime()).getSeconds() / period;
            if (points > 1440) {
                throw CloudWatchErrors.invalidParameter("You have requested up to " + points
                        + " datapoints, which exceeds the limit of 1,440.");
            }
            MetricKey key = key(request.namespace(), request.metricName(), dimensions(request.dimensions(), "Dimensions"));
            List<Datapoint> out = new ArrayList<>();
            for (Instant t = request.startTime(); t.isBefore(request.endTime()); t = t.plusSeconds(period)) {
                Aggregate a = store.aggregate(key, t, t.plusSeconds(period), clock.now());
                if (a != null) {
                    Datapoint.Builder p = Datapoint.builder().timestamp(t);
                    for (Statistic s : request.statistics()) {
                        double v = a.statistic(s.toString());
                        switch (s) {
                            case SAMPLE_COUNT -> p.sampleCount(v);
                            case AVERAGE -> p.average(v);
                            case SUM -> p.sum(v);
                            case MINIMUM -> p.minimum(v);
                            case MAXIMUM -> p.maximum(v);
                            default -> throw new IllegalStateException(s.toString());
                        }
                    }
                    out.add(p.build());
                }
            }
            return GetMetricStatisticsResponse.builder().label(request.metricName()).datapoints(out).build();
        });
    }

    // ---------------------------------------------------------------- alarms

    @Override
    public PutMetricAlarmResponse putMetricAlarm(PutMetricAlarmRequest r) {
        return api("PutMetricAlarm", () -> {
            AlarmRequests.Definition definition = AlarmRequests.validate(r);
            Rule rule = definition.rule();
            Alarm previous = alarms.get(r.alarmName());
            if (previous != null && previous.timer != null) {
                previous.timer.cancel();
            }
            Alarm alarm = new Alarm(r, definition, previous);
            alarms.put(alarm.name, alarm);
            history.record("CloudWatch.PutMetricAlarm", "alarm", alarm.name, "metric", alarm.metric.toString(),
                    "rule", rule.toString(), "created", Boolean.toString(previous == null));
            scheduleNext(alarm, clock.now());
            return PutMetricAlarmResponse.builder().build();
        });
    }

    @Override
    public DeleteAlarmsResponse deleteAlarms(DeleteAlarmsRequest request) {
        return api("DeleteAlarms", () -> {
            if (!request.hasAlarmNames() || request.alarmNames().isEmpty()) {
                throw CloudWatchErrors.missingParameter("AlarmNames");
            }
            if (request.alarmNames().size() > MAX_ALARM_NAMES) {
                throw CloudWatchErrors.validation(request.alarmNames().toString(), "alarmNames",
                        "Member must have length less than or equal to " + MAX_ALARM_NAMES);
            }
            // Unknown names fail the call and nothing is deleted (the reference's ResourceNotFound).
            List<String> unknown = request.alarmNames().stream().filter(n -> !alarms.containsKey(n)).toList();
            if (!unknown.isEmpty()) {
                throw CloudWatchErrors.notFound(unknown.size() == 1 ? "Alarm " + unknown.get(0) + " not found"
                        : "Alarms " + unknown + " not found");
            }
            for (String n : request.alarmNames()) {
                Alarm a = alarms.remove(n);
                if (a != null && a.timer != null) {
                    a.timer.cancel();
                }
                history.record("CloudWatch.DeleteAlarm", "alarm", n);
            }
            return DeleteAlarmsResponse.builder().build();
        });
    }

    @Override
    public DescribeAlarmsResponse describeAlarms(DescribeAlarmsRequest r) {
        return api("DescribeAlarms", () -> {
            if (r.actionPrefix() != null || r.childrenOfAlarmName() != null || r.parentsOfAlarmName() != null) {
                throw new UnsupportedOperationException("ActionPrefix, ChildrenOfAlarmName and ParentsOfAlarmName are not modelled");
            }
            boolean names = r.hasAlarmNames() && !r.alarmNames().isEmpty();
            if (names && r.alarmNamePrefix() != null) {
                throw CloudWatchErrors.combination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive "
                        + "and you have specified both.");
            }
            if (names && r.alarmNames().size() > MAX_ALARM_NAMES) {
                throw CloudWatchErrors.validation(r.alarmNames().toString(), "alarmNames",
                        "Member must have length less than or equal to " + MAX_ALARM_NAMES);
            }
            if (r.alarmNamePrefix() != null) {
                requireName(r.alarmNamePrefix(), "AlarmNamePrefix", 255);
            }
            int max = r.maxRecords() == null ? 50 : r.maxRecords();
            if (max < 1 || max > 100) {
                throw CloudWatchErrors.validation(Integer.toString(max), "maxRecords",
                        "Member must have value between 1 and 100");
            }
            if (r.stateValue() == StateValue.UNKNOWN_TO_SDK_VERSION) {
                throw CloudWatchErrors.validation(r.stateValueAsString(), "stateValue",
                        "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]");
            }
            // "If you omit this parameter, only metric alarms are returned."
            boolean metricAlarms = !r.hasAlarmTypes() || r.alarmTypes().isEmpty()
                    || r.alarmTypes().contains(AlarmType.METRIC_ALARM);
            String after = r.nextToken() == null ? null : decodeToken(r.nextToken());
            List<MetricAlarm> page = new ArrayList<>();
            String last = null;
            boolean more = false;
            for (Alarm a : (after == null ? alarms : alarms.tailMap(after, false)).values()) {
                if (!metricAlarms || (names && !r.alarmNames().contains(a.name))
                        || (r.alarmNamePrefix() != null && !a.name.startsWith(r.alarmNamePrefix()))
                        || (r.stateValue() != null && !a.state.value().name().equals(r.stateValueAsString()))) {
                    continue;
                }
                if (page.size() == max) {
                    more = true;
                    break;
                }
                page.add(describe(a));
                last = a.name;
            }
            return DescribeAlarmsResponse.builder().metricAlarms(page).compositeAlarms(List.of())
                    .nextToken(more ? encodeToken(last) : null).build();
        });
    }

    @Override
    public SetAlarmStateResponse setAlarmState(SetAlarmStateRequest r) {
        return api("SetAlarmState", () -> {
            requireName(r.alarmName(), "AlarmName", 255);
            if (r.stateValue() == null) {
                throw CloudWatchErrors.missingParameter("StateValue");
            }
            if (r.stateValue() == StateValue.UNKNOWN_TO_SDK_VERSION) {
                throw CloudWatchErrors.validation(r.stateValueAsString(), "stateValue",
                        "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]");
            }
            if (r.stateReason() == null) {
                throw CloudWatchErrors.missingParameter("StateReason");
            }
            if (r.stateReason().length() > 1023) {
                throw CloudWatchErrors.validation(r.stateReason(), "stateReason",
                        "Member must have length less than or equal to 1023");
            }
            if (r.stateReasonData() != null) {
                if (r.stateReasonData().length() > 4000) {
                    throw CloudWatchErrors.validation(r.stateReasonData(), "stateReasonData",
                            "Member must have length less than or equal to 4000");
                }
                try {
                    JSON.readTree(r.stateReasonData());
                } catch (JsonProcessingException e) {
                    throw CloudWatchErrors.invalidFormat("The parameter StateReasonData must be valid JSON.");
                }
            }
            Alarm a = alarms.get(r.alarmName());
            if (a == null) {
                throw CloudWatchErrors.notFound("Alarm " + r.alarmName() + " not found");
            }
            // Temporary: "lasts only until the next alarm comparison occurs" (the evaluation timer is untouched).
            transition(a, new StateRecord(State.valueOf(r.stateValueAsString()), r.stateReason(), r.stateReasonData(),
                    clock.now()), "SetAlarmState");
            return SetAlarmStateResponse.builder().build();
        });
    }

    // ---------------------------------------------------------------- evaluation

    /** Schedules the alarm's first evaluation boundary after {@code after}, run once its delay has passed. */
    private void scheduleNext(Alarm alarm, Instant after) {
        long cadence = cadenceSeconds(alarm.period());
        long boundary = Math.floorDiv(after.getEpochSecond(), cadence) * cadence + cadence;
        Instant windowEnd = Instant.ofEpochSecond(boundary);
        Instant runAt = windowEnd.plus(delays.of(alarm.period()));
        alarm.timer = clock.schedule(Duration.between(clock.now(), runAt), "evaluate alarm " + alarm.name, () -> {
            if (alarms.get(alarm.name) == alarm) {
                evaluate(alarm, windowEnd);
                scheduleNext(alarm, windowEnd);
            }
        });
    }

    /** "If the alarm period is 10 seconds or 30 seconds, the alarm is evaluated every 10 seconds"; else every minute. */
    static long cadenceSeconds(int period) {
        return period < 60 ? 10 : 60;
    }

    private void evaluate(Alarm a, Instant windowEnd) {
        int range = a.rule.range();
        List<Slot> slots = new ArrayList<>(range);
        String statistic = a.watched.statistic();
        for (int i = range; i >= 1; i--) {
            Instant start = windowEnd.minusSeconds((long) i * a.period());
            Aggregate agg = store.aggregate(a.metric, start, start.plusSeconds(a.period()), clock.now());
            slots.add(agg == null ? Slot.missing(start) : new Slot(start, agg.statistic(statistic), agg.sampleCount()));
        }
        slots = filled(slots, a.watched.fill());
        Verdict verdict = AlarmEvaluation.evaluate(a.rule, slots);
        State to = verdict.state().orElse(a.state.value());
        if (verdict.state().isEmpty()) {
            return; // ignore: the current state, reason and all, is kept
        }
        String reason = AlarmEvents.reason(a.rule, verdict, a.state.value(), to);
        // A metric math alarm's reasonData names no statistic (the sample in "Alarm events and EventBridge").
        String data = AlarmEvents.reasonData(a.rule, verdict, a.watched.fill().isPresent() ? null : statistic,
                a.period(), clock.now(), to);
        transition(a, new StateRecord(to, reason, data, clock.now()), "evaluation");
    }

    /**
     * {@code FILL(m, v)}: every missing period of the evaluation range takes the value v, the most
     * recent ones included ("FILL replaces that missing data point with the requested value. That
     * causes the latest data point for the metric to always be the FILL value": the FILL row of
     * "Metric math syntax and functions", docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
     * So a metric that falls silent breaches from its first silent period, not only once the
     * evaluation range has run out of real datapoints. A range with no datapoint at all stays
     * missing (assumed: there is no time series to fill), and TreatMissingData decides.
     */
    static List<Slot> filled(List<Slot> slots, Optional<Double> fill) {
        if (fill.isEmpty() || slots.stream().allMatch(Slot::isMissing)) {
            return slots;
        }
        return slots.stream().map(s -> s.isMissing() ? new Slot(s.start(), fill.get(), 0) : s).toList();
    }

    /** Sets a new state; a change of value is recorded and announced on the event bus. */
    private void transition(Alarm a, StateRecord next, String cause) {
        StateRecord previous = a.state;
        a.state = next;
        if (previous.value() == next.value()) {
            return;
        }
        a.transitioned = next.timestamp();
        history.record("CloudWatch.AlarmStateChange", "alarm", a.name, "from", previous.value().name(),
                "to", next.value().name(), "cause", cause, "reason", next.reason());
        MetricConfig metric = new MetricConfig(a.watched.metricId() != null ? a.watched.metricId() : a.metricId,
                a.metric.namespace(), a.metric.name(), a.metric.dimensions(), a.period(), a.watched.statistic(),
                a.config.alarmDescription(), a.watched.expressionId(), a.watched.expression());
        bus.publish(bus.envelope(AlarmEvents.SOURCE, AlarmEvents.DETAIL_TYPE, List.of(a.arn),
                AlarmEvents.detail(a.name, metric, previous, next)));
    }

    // ---------------------------------------------------------------- plumbing

    private MetricAlarm describe(Alarm a) {
        PutMetricAlarmRequest c = a.config;
        return MetricAlarm.builder()
                .alarmName(a.name).alarmArn(a.arn).alarmDescription(c.alarmDescription())
                .alarmConfigurationUpdatedTimestamp(a.configUpdated)
                .actionsEnabled(c.actionsEnabled() == null || c.actionsEnabled())
                .okActions(List.of()).alarmActions(List.of()).insufficientDataActions(List.of())
                .stateValue(a.state.value().name()).stateReason(a.state.reason()).stateReasonData(a.state.reasonData())
                .stateUpdatedTimestamp(a.state.timestamp()).stateTransitionedTimestamp(a.transitioned)
                .metricName(c.metricName()).namespace(c.namespace()).statistic(c.statistic())
                .dimensions(c.metrics().isEmpty() ? a.metric.dimensions().entrySet().stream()
                        .map(e -> Dimension.builder().name(e.getKey()).value(e.getValue()).build()).toList() : List.of())
                .metrics(c.metrics())
                .period(c.period()).evaluationPeriods(a.rule.evaluationPeriods())
                .datapointsToAlarm(a.rule.datapointsToAlarm()).threshold(a.rule.threshold())
                .comparisonOperator(a.rule.comparison().wire).treatMissingData(a.rule.treatMissing().wire)
                .build();
    }

    static MetricKey key(String namespace, String name, List<Dimension> dims) {
        Map<String, String> map = new TreeMap<>();
        if (dims != null) {
            dims.forEach(d -> map.put(d.name(), d.value()));
        }
        return new MetricKey(namespace, name, new TreeMap<>(map));
    }

    /** Dimensions as CloudWatch checks them: at most 30, names 1-255 and values 1-1024 characters, no name twice. */
    static List<Dimension> dimensions(List<Dimension> dims, String member) {
        if (dims == null) {
            return List.of();
        }
        if (dims.size() > MAX_DIMENSIONS) {
            throw CloudWatchErrors.invalidParameter("The collection " + member + " must not have a size greater than "
                    + MAX_DIMENSIONS + ".");
        }
        for (int i = 0; i < dims.size(); i++) {
            Dimension d = dims.get(i);
            requireName(d.name(), member + ".member." + (i + 1) + ".Name", 255);
            requireName(d.value(), member + ".member." + (i + 1) + ".Value", 1024);
            for (int j = 0; j < i; j++) {
                if (dims.get(j).name().equals(d.name())) {
                    throw CloudWatchErrors.invalidParameter("No Metric may specify the same dimension (" + d.name()
                            + ") twice.");
                }
            }
        }
        return dims;
    }

    static void requireName(String value, String member, int maxLength) {
        if (value == null) {
            throw CloudWatchErrors.missingParameter(member);
        }
        if (value.isEmpty() || value.length() > maxLength) {
            throw CloudWatchErrors.validation(value, member, "Member must have length between 1 and " + maxLength);
        }
    }

    private static String describe(Map<String, String> dims) {
        return dims.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    private static String encodeToken(String lastName) {
        return Base64.getUrlEncoder().encodeToString(("after:" + lastName).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith("after:")) {
                return s.substring("after:".length());
            }
        } catch (IllegalArgumentException e) {
            // not one of ours: fall through to AWS's error
        }
        throw CloudWatchErrors.invalidNextToken();
    }

    /** Runs one API call under the cloud's lock: counted and logged, failed when an injected throttling window strikes. */
    private <T> T api(String operation, Supplier<T> body) {
        String op = "CloudWatch." + operation;
        synchronized (clock) {
            String failed = null;
            try {
                if (faults.throttled(clock.now())) {
                    throw CloudWatchErrors.throttled();
                }
                return body.get();
            } catch (CloudWatchException e) {
                failed = e.awsErrorDetails().errorCode();
                throw e;
            } finally {
                history.recordCall(op, failed);
            }
        }
    }

    // ---------------------------------------------------------------- simulation controls

    /** Simulation control: the names of the alarms, in name order. */
    public List<String> alarmNames() {
        synchronized (clock) {
            return List.copyOf(alarms.keySet());
        }
    }

    /** Simulation control: an alarm's current state, without an API call (no throttling, not counted). */
    public Optional<StateValue> stateOf(String alarmName) {
        synchronized (clock) {
            return Optional.ofNullable(alarms.get(alarmName)).map(a -> StateValue.fromValue(a.state.value().name()));
        }
    }

    /** The tags an alarm was created with (ListTagsForResource is not modelled). */
    public List<Tag> tagsOf(String alarmName) {
        synchronized (clock) {
            Alarm a = alarms.get(alarmName);
            return a == null || !a.config.hasTags() ? List.of() : List.copyOf(a.config.tags());
        }
    }
}
