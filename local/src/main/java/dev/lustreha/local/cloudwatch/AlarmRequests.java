package dev.lustreha.local.cloudwatch;

import dev.lustreha.local.cloudwatch.AlarmEvaluation.Comparison;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Rule;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.TreatMissing;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * PutMetricAlarm's checks, from the API reference
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html): a metric
 * alarm on one metric with a static threshold; Period 10, 20, 30 or a multiple of 60; Period
 * times EvaluationPeriods at most one day when the period is under an hour, seven days otherwise;
 * DatapointsToAlarm between 1 and EvaluationPeriods; TreatMissingData one of four values; at most
 * 30 dimensions and 50 tags. One metric math alarm is modelled too: {@code Metrics} holding one
 * metric ({@code MetricStat}, {@code ReturnData false}) and the expression {@code FILL(id, value)}
 * over it ({@code ReturnData true}), with none of MetricName, Namespace, Dimensions, Statistic and
 * Period beside it ("If you use the Metrics parameter, you cannot include the Namespace,
 * MetricName, Dimensions, Period, Unit, Statistic, or ExtendedStatistic parameters"). What we do
 * not model is refused with {@link UnsupportedOperationException} rather than accepted and ignored.
 */
final class AlarmRequests {

    /** {@code FILL(m1, 0)}: the only expression modelled, a metric id and a constant filler. */
    private static final Pattern FILL = Pattern.compile("\\s*FILL\\(\\s*([a-z][A-Za-z0-9_]*)\\s*,\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*\\)\\s*");

    /**
     * What an alarm watches: one metric's statistic over its period, and, for a {@code FILL} metric
     * math alarm, the value its missing periods are filled with and the two queries' ids and expression.
     */
    record Watched(String namespace, String metricName, List<Dimension> dimensions, String statistic, int period,
            Optional<Double> fill, String metricId, String expressionId, String expression) {
    }

    /** An alarm as PutMetricAlarm defined it: its rule and what it watches. */
    record Definition(Rule rule, Watched watched) {
    }

    private AlarmRequests() {
    }

    static Definition validate(PutMetricAlarmRequest r) {
        unsupported(r);
        SimCloudWatch.requireName(r.alarmName(), "AlarmName", 255);
        if (r.alarmName().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw CloudWatchErrors.invalidParameter("The alarm name must not contain ASCII control characters.");
        }
        if (r.alarmDescription() != null && r.alarmDescription().length() > 1024) {
            throw CloudWatchErrors.validation(r.alarmDescription(), "alarmDescription",
                    "Member must have length less than or equal to 1024");
        }
        Watched watched = r.hasMetrics() && !r.metrics().isEmpty() ? fillAlarm(r) : singleMetric(r);
        return new Definition(rule(r, watched.period()), watched);
    }

    private static Watched singleMetric(PutMetricAlarmRequest r) {
        SimCloudWatch.requireName(r.namespace(), "Namespace", 255);
        SimCloudWatch.requireName(r.metricName(), "MetricName", 255);
        SimCloudWatch.dimensions(r.dimensions(), "Dimensions");
        String statistic = statistic(r.statistic(), r.statisticAsString());
        int period = period(r.period());
        return new Watched(r.namespace(), r.metricName(), r.hasDimensions() ? r.dimensions() : List.of(), statistic,
                period, Optional.empty(), null, null, null);
    }

    /** A metric math alarm: exactly one metric and FILL over it. */
    private static Watched fillAlarm(PutMetricAlarmRequest r) {
        if (r.namespace() != null || r.metricName() != null || (r.hasDimensions() && !r.dimensions().isEmpty())
                || r.statistic() != null || r.period() != null) {
            throw CloudWatchErrors.invalidParameter("If you use the Metrics parameter, you cannot include the "
                    + "Namespace, MetricName, Dimensions, Period, Unit, Statistic, or ExtendedStatistic parameters.");
        }
        List<MetricDataQuery> stats = r.metrics().stream().filter(q -> q.metricStat() != null).toList();
        List<MetricDataQuery> expressions = r.metrics().stream().filter(q -> q.expression() != null).toList();
        if (stats.size() != 1 || expressions.size() != 1 || r.metrics().size() != 2) {
            throw new UnsupportedOperationException("metric math alarms other than one metric and FILL over it are "
                    + "not modelled");
        }
        MetricDataQuery m = stats.get(0);
        MetricDataQuery e = expressions.get(0);
        if (!Boolean.FALSE.equals(m.returnData()) || Boolean.FALSE.equals(e.returnData())) {
            throw CloudWatchErrors.invalidParameter("Exactly one element of the metrics list must return data.");
        }
        Matcher fill = FILL.matcher(e.expression());
        if (!fill.matches()) {
            throw new UnsupportedOperationException("the expression " + e.expression() + " is not modelled (only "
                    + "FILL(id, constant))");
        }
        if (!fill.group(1).equals(m.id())) {
            throw CloudWatchErrors.invalidParameter("Unrecognized metric id " + fill.group(1) + " in expression "
                    + e.expression() + ".");
        }
        MetricStat stat = m.metricStat();
        Metric metric = stat.metric();
        if (metric == null) {
            throw CloudWatchErrors.missingParameter("Metrics.member.1.MetricStat.Metric");
        }
        SimCloudWatch.requireName(metric.namespace(), "Namespace", 255);
        SimCloudWatch.requireName(metric.metricName(), "MetricName", 255);
        SimCloudWatch.dimensions(metric.dimensions(), "Dimensions");
        if (stat.unit() != null) {
            throw new UnsupportedOperationException("alarms filtered by Unit are not modelled");
        }
        Statistic parsed = Statistic.fromValue(stat.stat());
        String statistic = statistic(parsed, stat.stat());
        return new Watched(metric.namespace(), metric.metricName(),
                metric.hasDimensions() ? metric.dimensions() : List.of(), statistic, period(stat.period()),
                Optional.of(Double.parseDouble(fill.group(2))), m.id(), e.id(), e.expression().strip());
    }

    private static String statistic(Statistic statistic, String wire) {
        if (statistic == null) {
            throw CloudWatchErrors.missingParameter("Statistic");
        }
        if (statistic == Statistic.UNKNOWN_TO_SDK_VERSION) {
            throw CloudWatchErrors.validation(wire, "statistic",
                    "Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]");
        }
        return statistic.toString();
    }

    private static int period(Integer period) {
        if (period == null) {
            throw CloudWatchErrors.missingParameter("Period");
        }
        if (period != 10 && period != 20 && period != 30 && (period < 60 || period % 60 != 0)) {
            throw CloudWatchErrors.invalidParameter("The parameter Period must be 10, 20, 30 or a multiple of 60.");
        }
        return period;
    }

    private static Rule rule(PutMetricAlarmRequest r, int period) {
        Integer n = r.evaluationPeriods();
        if (n == null) {
            throw CloudWatchErrors.missingParameter("EvaluationPeriods");
        }
        if (n < 1) {
            throw CloudWatchErrors.validation(n.toString(), "evaluationPeriods",
                    "Member must have value greater than or equal to 1");
        }
        long span = (long) period * n;
        long maxSpan = period < 3600 ? 86_400 : 604_800;
        if (span > maxSpan) {
            throw CloudWatchErrors.invalidParameter("The evaluation period (Period * EvaluationPeriods = " + span
                    + " seconds) must not exceed " + maxSpan + " seconds.");
        }
        int m = r.datapointsToAlarm() == null ? n : r.datapointsToAlarm();
        if (m < 1) {
            throw CloudWatchErrors.validation(Integer.toString(m), "datapointsToAlarm",
                    "Member must have value greater than or equal to 1");
        }
        if (m > n) {
            throw CloudWatchErrors.invalidParameter("DatapointsToAlarm (" + m + ") must be less than or equal to "
                    + "EvaluationPeriods (" + n + ").");
        }
        if (r.threshold() == null) {
            throw CloudWatchErrors.missingParameter("Threshold");
        }
        if (r.threshold().isNaN() || r.threshold().isInfinite()) {
            throw CloudWatchErrors.invalidParameter("The value " + r.threshold() + " for parameter Threshold is invalid.");
        }
        if (r.comparisonOperatorAsString() == null) {
            throw CloudWatchErrors.missingParameter("ComparisonOperator");
        }
        Comparison comparison = Comparison.parse(r.comparisonOperatorAsString()).orElseThrow(() ->
                r.comparisonOperatorAsString().contains("Band") || r.comparisonOperatorAsString().contains("LowerOr")
                        ? new UnsupportedOperationException("anomaly detection alarms are not modelled")
                        : CloudWatchErrors.validation(r.comparisonOperatorAsString(), "comparisonOperator",
                                "Member must satisfy enum value set: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, "
                                        + "LessThanThreshold, LessThanOrEqualToThreshold, ...]"));
        // "If TreatMissingData is omitted, the default behavior of missing is used."
        String treat = r.treatMissingData() == null ? TreatMissing.MISSING.wire : r.treatMissingData();
        TreatMissing treatMissing = TreatMissing.parse(treat).orElseThrow(() -> CloudWatchErrors.invalidParameter(
                "The value " + treat + " for parameter TreatMissingData is invalid. Valid values are breaching, "
                        + "notBreaching, ignore and missing."));
        if (r.hasTags() && r.tags().size() > SimCloudWatch.MAX_TAGS) {
            throw CloudWatchErrors.validation(r.tags().toString(), "tags",
                    "Member must have length less than or equal to " + SimCloudWatch.MAX_TAGS);
        }
        return new Rule(n, m, comparison, r.threshold(), treatMissing);
    }

    private static void unsupported(PutMetricAlarmRequest r) {
        if (r.extendedStatistic() != null || r.evaluateLowSampleCountPercentile() != null) {
            throw new UnsupportedOperationException("percentile alarms (ExtendedStatistic) are not modelled");
        }
        if (r.thresholdMetricId() != null) {
            throw new UnsupportedOperationException("anomaly detection alarms (ThresholdMetricId) are not modelled");
        }
        if (r.unit() != null) {
            throw new UnsupportedOperationException("alarms filtered by Unit are not modelled");
        }
        if ((r.hasAlarmActions() && !r.alarmActions().isEmpty()) || (r.hasOkActions() && !r.okActions().isEmpty())
                || (r.hasInsufficientDataActions() && !r.insufficientDataActions().isEmpty())) {
            throw new UnsupportedOperationException("alarm actions are not modelled: subscribe to the state change events");
        }
    }
}
