package dev.lustreha.local.cloudwatch;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The metric data the simulated CloudWatch holds: per metric (namespace, name and the full set of
 * dimensions: "a metric is uniquely identified by its namespace, name and dimensions"), the
 * datapoints by timestamp, each with the time it reached CloudWatch so an evaluation sees only
 * what had arrived by then. Not thread-safe: used under the cloud's lock.
 */
final class MetricStore {

    /** One metric: namespace, name and every dimension (an alarm matches only all of them). */
    record MetricKey(String namespace, String name, SortedMap<String, String> dimensions) {
        MetricKey {
            dimensions = new TreeMap<>(dimensions);
        }

        @Override
        public String toString() {
            return namespace + "/" + name + dimensions;
        }
    }

    /** A statistic set: what one datum (a Value, Values/Counts or StatisticValues) contributes to a period. */
    record Aggregate(double sampleCount, double sum, double minimum, double maximum) {
        static Aggregate of(double value) {
            return new Aggregate(1, value, value, value);
        }

        Aggregate plus(Aggregate o) {
            return new Aggregate(sampleCount + o.sampleCount, sum + o.sum, Math.min(minimum, o.minimum),
                    Math.max(maximum, o.maximum));
        }

        double statistic(String statistic) {
            return switch (statistic) {
                case "SampleCount" -> sampleCount;
                case "Sum" -> sum;
                case "Average" -> sum / sampleCount;
                case "Minimum" -> minimum;
                case "Maximum" -> maximum;
                default -> throw new IllegalArgumentException("unknown statistic " + statistic);
            };
        }
    }

    private record Datum(Instant received, Aggregate aggregate) {
    }

    /**
     * How long datapoints are kept: longer than any alarm can look back (seven days of periods plus
     * the evaluation range's extra periods); AWS keeps aggregates for 15 months, which no simulated
     * run reaches.
     */
    static final Duration RETENTION = Duration.ofDays(9);

    private final Map<MetricKey, NavigableMap<Instant, List<Datum>>> metrics = new HashMap<>();

    /**
     * Stores one datum. High-resolution data (StorageResolution 1) keeps its second; standard
     * resolution is stored at one-minute granularity, so a 10-second alarm on it finds data in only
     * one period a minute (the PutMetricAlarm reference: "the alarm might often lapse into
     * INSUFFICIENT_DATA status").
     */
    void put(MetricKey key, Instant timestamp, int storageResolution, Aggregate aggregate, Instant received) {
        Instant at = timestamp.truncatedTo(storageResolution == 1 ? ChronoUnit.SECONDS : ChronoUnit.MINUTES);
        NavigableMap<Instant, List<Datum>> series = metrics.computeIfAbsent(key, k -> new TreeMap<>());
        series.computeIfAbsent(at, t -> new ArrayList<>()).add(new Datum(received, aggregate));
        series.headMap(received.minus(RETENTION)).clear();
    }

    /** The statistic set of the datapoints timestamped in [from, to) that had arrived by {@code asOf}; null if none. */
    Aggregate aggregate(MetricKey key, Instant from, Instant to, Instant asOf) {
        NavigableMap<Instant, List<Datum>> series = metrics.get(key);
        if (series == null) {
            return null;
        }
        Aggregate total = null;
        for (List<Datum> data : series.subMap(from, true, to, false).values()) {
            for (Datum d : data) {
                if (!d.received().isAfter(asOf)) {
                    total = total == null ? d.aggregate() : total.plus(d.aggregate());
                }
            }
        }
        return total;
    }

    boolean exists(MetricKey key) {
        return metrics.containsKey(key);
    }
}
