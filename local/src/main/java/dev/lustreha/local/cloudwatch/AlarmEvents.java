package dev.lustreha.local.cloudwatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Slot;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.State;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.TreatMissing;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Verdict;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The words and JSON CloudWatch attaches to an alarm state: the StateReason sentence, the
 * StateReasonData JSON and the detail of the "CloudWatch Alarm State Change" event EventBridge
 * delivers. Shapes follow the samples in "Alarm events and EventBridge"
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html) and the
 * StateReasonData AWS returns (version, queryDate, startDate, statistic, period,
 * recentDatapoints, threshold, evaluatedDatapoints with timestamp, sampleCount and value, newest
 * first; an INSUFFICIENT_DATA one lists only the unknown periods' timestamps).
 */
final class AlarmEvents {

    static final String SOURCE = "aws.cloudwatch";
    static final String DETAIL_TYPE = "CloudWatch Alarm State Change";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** AWS's timestamps in alarm JSON: 2019-10-02T17:04:40.989+0000. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
            .withZone(ZoneOffset.UTC);
    /** The datapoint times in a StateReason: [99.5 (02/10/19 16:59:00)]. */
    private static final DateTimeFormatter REASON_TIME = DateTimeFormatter.ofPattern("dd/MM/yy HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** An alarm's state as CloudWatch keeps it; {@code reasonData} is JSON text, or null. */
    record StateRecord(State value, String reason, String reasonData, Instant timestamp) {
    }

    /**
     * What the event's configuration says of the alarm's one metric, and of the metric math
     * expression over it ({@code expressionId} and {@code expression} null for a single-metric alarm).
     */
    record MetricConfig(String id, String namespace, String name, Map<String, String> dimensions, int period,
            String statistic, String description, String expressionId, String expression) {
    }

    private AlarmEvents() {
    }

    static String stamp(Instant t) {
        return TIMESTAMP.format(t);
    }

    /** The StateReason for {@code verdict} moving the alarm from {@code from} to {@code to}. */
    static String reason(AlarmEvaluation.Rule rule, Verdict verdict, State from, State to) {
        int n = rule.evaluationPeriods();
        if (to == State.INSUFFICIENT_DATA) {
            long unknown = verdict.evaluated().stream().filter(Slot::isMissing).count();
            if (unknown == 0) {
                unknown = n - verdict.evaluated().size();
            }
            return "Insufficient Data: " + unknown + (unknown == 1 ? " datapoint was" : " datapoints were") + " unknown.";
        }
        List<Slot> real = verdict.evaluated().stream().filter(s -> !s.isMissing()).toList();
        String treated = verdict.filled() == 0 ? "" : verdict.filled()
                + (verdict.filled() == 1 ? " missing datapoint was" : " missing datapoints were") + " treated as ["
                + (rule.treatMissing() == TreatMissing.BREACHING ? "Breaching" : "NonBreaching") + "]";
        if (real.isEmpty()) {
            return "Threshold Crossed: no datapoints were received for " + verdict.filled()
                    + (verdict.filled() == 1 ? " period and " : " periods and ") + treated + ".";
        }
        boolean alarm = to == State.ALARM;
        List<Slot> shown = real.stream().filter(s -> rule.breaches(s) == alarm).toList();
        String values = shown.stream().map(s -> s.value() + " (" + REASON_TIME.format(s.start()) + ")")
                .collect(Collectors.joining(", ", "[", "]"));
        int minimum = alarm ? rule.datapointsToAlarm() : n - rule.datapointsToAlarm() + 1;
        return "Threshold Crossed: " + shown.size() + " out of the last " + n + " datapoints " + values + " "
                + (shown.size() == 1 ? "was " : "were ") + (alarm ? "" : "not ") + rule.comparison().words
                + " the threshold (" + rule.threshold() + ")" + (treated.isEmpty() ? "" : " and " + treated)
                + " (minimum " + minimum + (minimum == 1 ? " datapoint" : " datapoints") + " for " + from + " -> " + to
                + " transition).";
    }

    /** The StateReasonData JSON for an evaluation made at {@code queryDate}. */
    static String reasonData(AlarmEvaluation.Rule rule, Verdict verdict, String statistic, int period,
            Instant queryDate, State to) {
        ObjectNode data = JSON.createObjectNode();
        data.put("version", "1.0");
        data.put("queryDate", stamp(queryDate));
        List<Slot> evaluated = verdict.evaluated();
        if (to != State.INSUFFICIENT_DATA && !evaluated.isEmpty()) {
            data.put("startDate", stamp(evaluated.get(evaluated.size() - 1).start()));
        }
        if (statistic != null) {
            data.put("statistic", statistic);
        }
        data.put("period", period);
        ArrayNode recent = data.putArray("recentDatapoints");
        for (int i = evaluated.size() - 1; i >= 0; i--) {
            if (!evaluated.get(i).isMissing()) {
                recent.add(evaluated.get(i).value());
            }
        }
        data.put("threshold", rule.threshold());
        ArrayNode points = data.putArray("evaluatedDatapoints");
        for (Slot s : evaluated) {
            ObjectNode p = points.addObject();
            p.put("timestamp", stamp(s.start()));
            if (!s.isMissing()) {
                p.put("sampleCount", s.sampleCount());
                p.put("value", s.value());
            }
        }
        return data.toString();
    }

    /** The {@code detail} of the state change event. */
    static ObjectNode detail(String alarmName, MetricConfig metric, StateRecord previous, StateRecord current) {
        ObjectNode detail = JSON.createObjectNode();
        detail.put("alarmName", alarmName);
        detail.set("state", state(current));
        detail.set("previousState", state(previous));
        ObjectNode configuration = detail.putObject("configuration");
        if (metric.description() != null) {
            configuration.put("description", metric.description());
        }
        ArrayNode metrics = configuration.putArray("metrics");
        if (metric.expression() != null) {
            // The sample metric math event lists the expression first, then its metrics with returnData false.
            ObjectNode e = metrics.addObject();
            e.put("expression", metric.expression());
            e.put("id", metric.expressionId());
            e.put("returnData", true);
        }
        ObjectNode m = metrics.addObject();
        m.put("id", metric.id());
        ObjectNode stat = m.putObject("metricStat");
        ObjectNode what = stat.putObject("metric");
        ObjectNode dims = what.putObject("dimensions");
        metric.dimensions().forEach(dims::put);
        what.put("name", metric.name());
        what.put("namespace", metric.namespace());
        stat.put("period", metric.period());
        stat.put("stat", metric.statistic());
        m.put("returnData", metric.expression() == null);
        return detail;
    }

    private static ObjectNode state(StateRecord s) {
        ObjectNode node = JSON.createObjectNode();
        node.put("value", s.value().name());
        node.put("reason", s.reason());
        if (s.reasonData() != null) {
            node.put("reasonData", s.reasonData());
        }
        node.put("timestamp", stamp(s.timestamp()));
        return node;
    }
}
