package dev.lustreha.bench.coldstart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The measured runs of the benchmark and what they come to: medians, ratios, the goals' verdicts. */
final class Results {

    /** The goals: at most half the baseline's median, and at most 700 ms median. */
    static final double MAX_RATIO = 0.5;
    static final long MAX_MEDIAN_MS = 700;

    /** One run: spawn-to-response milliseconds, the child's own split, and what the handler answered. */
    record Run(long totalMs, long jvmMs, long initMs, long invokeMs, String outcome) {
    }

    /** All runs of one handler, ours and the baseline's. */
    record Row(Case kase, List<Run> ours, List<Run> baseline) {

        long oursMedian() {
            return median(ours.stream().mapToLong(Run::totalMs).toArray());
        }

        long baselineMedian() {
            return median(baseline.stream().mapToLong(Run::totalMs).toArray());
        }

        double ratio() {
            return (double) oursMedian() / baselineMedian();
        }

        boolean meetsRatio() {
            return ratio() <= MAX_RATIO;
        }

        boolean meetsMedian() {
            return oursMedian() <= MAX_MEDIAN_MS;
        }

        /** The distinct answers of the runs (all runs of a handler should answer alike). */
        String outcomes(List<Run> runs) {
            return String.join(" / ", runs.stream().map(Run::outcome).distinct().toList());
        }
    }

    private Results() {
    }

    /** The median; for an even count, the lower of the two middle values' mean, rounded down. */
    static long median(long[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static String pass(boolean ok) {
        return ok ? "PASS" : "FAIL";
    }

    /** The table for the terminal. */
    static String text(List<Row> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-20s %10s %10s %7s %10s %10s   %s", "handler", "ours ms", "base ms",
                "ratio", "<=700 ms", "<=0.5x", "ours init+invoke ms (median)"));
        for (Row r : rows) {
            lines.add(String.format(Locale.ROOT, "%-20s %10d %10d %7.2f %10s %10s   %d + %d", r.kase().function(),
                    r.oursMedian(), r.baselineMedian(), r.ratio(), pass(r.meetsMedian()), pass(r.meetsRatio()),
                    median(r.ours().stream().mapToLong(Run::initMs).toArray()),
                    median(r.ours().stream().mapToLong(Run::invokeMs).toArray())));
        }
        return String.join("\n", lines);
    }

    /** The same as a markdown section, with each handler's runs and answers. */
    static String markdown(List<Row> rows, String conditions) {
        StringBuilder md = new StringBuilder();
        md.append("## Cold start proxy\n\n").append(conditions).append("\n\n");
        md.append("| handler | ours median ms | baseline median ms | ratio | ≤ 700 ms | ≤ 0.5× | ours: JVM start + init + "
                + "invoke (medians, ms) | baseline: init + invoke |\n");
        md.append("|---|---:|---:|---:|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %s | %s | %d + %d + %d | %d + %d |\n",
                    r.kase().function(), r.oursMedian(), r.baselineMedian(), r.ratio(), pass(r.meetsMedian()),
                    pass(r.meetsRatio()),
                    median(r.ours().stream().mapToLong(Run::jvmMs).toArray()),
                    median(r.ours().stream().mapToLong(Run::initMs).toArray()),
                    median(r.ours().stream().mapToLong(Run::invokeMs).toArray()),
                    median(r.baseline().stream().mapToLong(Run::initMs).toArray()),
                    median(r.baseline().stream().mapToLong(Run::invokeMs).toArray())));
        }
        md.append("\nEach run's total, spawn to response (ms), and what the handler answered:\n\n");
        md.append("| handler | ours runs | baseline runs | AWS calls of the event | ours answered | baseline answered |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(r.kase().function()).append(" | ")
                    .append(String.join(", ", r.ours().stream().map(x -> Long.toString(x.totalMs())).toList()))
                    .append(" | ")
                    .append(String.join(", ", r.baseline().stream().map(x -> Long.toString(x.totalMs())).toList()))
                    .append(" | ").append(r.kase().calls())
                    .append(" | ").append(cell(r.outcomes(r.ours())))
                    .append(" | ").append(cell(r.outcomes(r.baseline()))).append(" |\n");
        }
        return md.toString();
    }

    private static String cell(String text) {
        String t = text.replace("|", "\\|");
        return t.length() > 160 ? t.substring(0, 160) + "…" : t;
    }
}
