package dev.lustreha.local.cloudwatch;

import dev.lustreha.local.cloudwatch.AlarmEvaluation.Comparison;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Rule;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.TreatMissing;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * PutMetricAlarm's checks, from the API reference
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html): a metric
 * alarm on one metric with a static threshold; Period 10, 20, 30 or a multiple of 60; Period
 * times EvaluationPeriods at most one day when the period is under an hour, seven days otherwise;
 * DatapointsToAlarm between 1 and EvaluationPeriods; TreatMissingData one of four values; at most
 * 30 dimensions and 50 tags. What we do not model is refused with
 * {@link UnsupportedOperationException} rather than accepted and ignored.
 */
final class AlarmRequests {

    private AlarmRequests() {
    }

    static Rule validate(PutMetricAlarmRequest r) {
        unsupported(r);
        SimCloudWatch.requireName(r.alarmName(), "AlarmName", 255);
        if (r.alarmName().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw CloudWatchErrors.invalidParameter("The alarm name must not contain ASCII control characters.");
        }
        if (r.alarmDescription() != null && r.alarmDescription().length() > 1024) {
            throw CloudWatchErrors.validation(r.alarmDescription(), "alarmDescription",
                    "Member must have length less than or equal to 1024");
        }
        SimCloudWatch.requireName(r.namespace(), "Namespace", 255);
        SimCloudWatch.requireName(r.metricName(), "MetricName", 255);
        SimCloudWatch.dimensions(r.dimensions(), "Dimensions");
        if (r.statistic() == null) {
            throw CloudWatchErrors.missingParameter("Statistic");
        }
        if (r.statistic() == Statistic.UNKNOWN_TO_SDK_VERSION) {
            throw CloudWatchErrors.validation(r.statisticAsString(), "statistic",
                    "Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]");
        }
        Integer period = r.period();
        if (period == null) {
            throw CloudWatchErrors.missingParameter("Period");
        }
        if (period != 10 && period != 20 && period != 30 && (period < 60 || period % 60 != 0)) {
            throw CloudWatchErrors.invalidParameter("The parameter Period must be 10, 20, 30 or a multiple of 60.");
        }
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
        if (r.hasMetrics() && !r.metrics().isEmpty()) {
            throw new UnsupportedOperationException("metric math alarms (Metrics) are not modelled");
        }
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
