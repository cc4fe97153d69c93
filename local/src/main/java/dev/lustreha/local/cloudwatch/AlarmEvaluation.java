package dev.lustreha.local.cloudwatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One evaluation of a metric alarm, as "How alarm state is evaluated when data is missing" in
 * "Using Amazon CloudWatch alarms" (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html)
 * describes it, pure so its tests can replay the page's tables row by row.
 *
 * <p>CloudWatch retrieves more periods than EvaluationPeriods (N): the <em>evaluation range</em>.
 * The page gives 5 for N = 3 and says no more ("depends on the length of the alarm period and
 * whether it is based on a metric with standard resolution or high resolution"); we use N + 2
 * for every alarm. Then:
 * <ul>
 *   <li>at least N real datapoints in the range: the N most recent real ones are evaluated, and
 *       TreatMissingData does not matter;</li>
 *   <li>fewer: every real datapoint is evaluated and the most recent missing periods are filled
 *       in, as few as needed to make N, by TreatMissingData;</li>
 *   <li>none at all: missing gives INSUFFICIENT_DATA, ignore keeps the state, breaching ALARM,
 *       notBreaching OK;</li>
 *   <li>ALARM when at least M (DatapointsToAlarm) of the N are breaching, OK otherwise;</li>
 *   <li>"avoiding premature transitions to alarm state": with missing or ignore, real datapoints
 *       that are all breaching but fewer than M give ALARM (missing) only once the oldest is at
 *       least M periods old; until then missing gives INSUFFICIENT_DATA (the page's earlier table
 *       for {@code - - - - X}) and ignore keeps the state (the page's tables).</li>
 * </ul>
 */
public final class AlarmEvaluation {

    /** How many periods beyond EvaluationPeriods an evaluation retrieves (the page's example: 3 -> 5). */
    public static final int EXTRA_PERIODS = 2;

    /** The alarm states, as the API spells them. */
    public enum State { OK, ALARM, INSUFFICIENT_DATA }

    /** TreatMissingData. */
    public enum TreatMissing {
        BREACHING("breaching"), NOT_BREACHING("notBreaching"), IGNORE("ignore"), MISSING("missing");

        public final String wire;

        TreatMissing(String wire) {
            this.wire = wire;
        }

        public static Optional<TreatMissing> parse(String wire) {
            for (TreatMissing t : values()) {
                if (t.wire.equals(wire)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** The four static-threshold comparison operators. */
    public enum Comparison {
        GREATER_OR_EQUAL("GreaterThanOrEqualToThreshold", "greater than or equal to"),
        GREATER("GreaterThanThreshold", "greater than"),
        LESS("LessThanThreshold", "less than"),
        LESS_OR_EQUAL("LessThanOrEqualToThreshold", "less than or equal to");

        public final String wire;
        /** The words AWS puts in a StateReason: "was greater than the threshold (1.0)". */
        public final String words;

        Comparison(String wire, String words) {
            this.wire = wire;
            this.words = words;
        }

        public boolean breaches(double value, double threshold) {
            return switch (this) {
                case GREATER_OR_EQUAL -> value >= threshold;
                case GREATER -> value > threshold;
                case LESS -> value < threshold;
                case LESS_OR_EQUAL -> value <= threshold;
            };
        }

        public static Optional<Comparison> parse(String wire) {
            for (Comparison c : values()) {
                if (c.wire.equals(wire)) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One period of the evaluation range: its start (the datapoint's timestamp, as AWS reports it),
     * the statistic over the datapoints in it and how many samples there were, or no value when the
     * period had no data.
     */
    public record Slot(Instant start, Double value, double sampleCount) {
        public static Slot missing(Instant start) {
            return new Slot(start, null, 0);
        }

        public boolean isMissing() {
            return value == null;
        }
    }

    /** The rule, as configured on the alarm. */
    public record Rule(int evaluationPeriods, int datapointsToAlarm, Comparison comparison, double threshold,
            TreatMissing treatMissing) {
        public Rule {
            if (evaluationPeriods < 1 || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
                throw new IllegalArgumentException("need 1 <= M <= N: " + datapointsToAlarm + " of " + evaluationPeriods);
            }
        }

        public int range() {
            return evaluationPeriods + EXTRA_PERIODS;
        }

        boolean breaches(Slot s) {
            return comparison.breaches(s.value(), threshold);
        }
    }

    /**
     * What an evaluation decided.
     *
     * @param state the new state, or empty to keep the current one (ignore)
     * @param evaluated the periods evaluated, newest first: real ones with a value, filled-in ones
     *     without (all of the range when nothing was real)
     * @param breaching how many of the evaluated periods count as breaching (filled ones included)
     * @param filled how many missing periods were filled in by TreatMissingData
     */
    public record Verdict(Optional<State> state, List<Slot> evaluated, int breaching, int filled) {
    }

    private AlarmEvaluation() {
    }

    /**
     * Evaluates {@code range} (the evaluation range, oldest period first, {@link Rule#range()} long)
     * under {@code rule}.
     */
    public static Verdict evaluate(Rule rule, List<Slot> range) {
        if (range.size() != rule.range()) {
            throw new IllegalArgumentException("an evaluation range of " + rule.range() + " periods, not " + range.size());
        }
        int n = rule.evaluationPeriods();
        int m = rule.datapointsToAlarm();
        List<Slot> real = range.stream().filter(s -> !s.isMissing()).toList();
        if (real.size() >= n) {
            List<Slot> evaluated = newestFirst(real.subList(real.size() - n, real.size()));
            int breaching = (int) evaluated.stream().filter(rule::breaches).count();
            return new Verdict(Optional.of(breaching >= m ? State.ALARM : State.OK), evaluated, breaching, 0);
        }
        if (real.isEmpty()) {
            List<Slot> all = newestFirst(range);
            return switch (rule.treatMissing()) {
                case BREACHING -> new Verdict(Optional.of(State.ALARM), all.subList(0, n), n, n);
                case NOT_BREACHING -> new Verdict(Optional.of(State.OK), all.subList(0, n), 0, n);
                case IGNORE -> new Verdict(Optional.empty(), all, 0, 0);
                case MISSING -> new Verdict(Optional.of(State.INSUFFICIENT_DATA), all, 0, 0);
            };
        }
        int fill = n - real.size();
        List<Slot> filledIn = new ArrayList<>();
        for (int i = range.size() - 1; i >= 0 && filledIn.size() < fill; i--) {
            if (range.get(i).isMissing()) {
                filledIn.add(range.get(i));
            }
        }
        List<Slot> evaluated = new ArrayList<>(real);
        evaluated.addAll(filledIn);
        evaluated = newestFirst(evaluated);
        int realBreaching = (int) real.stream().filter(rule::breaches).count();
        return switch (rule.treatMissing()) {
            case BREACHING -> new Verdict(Optional.of(realBreaching + fill >= m ? State.ALARM : State.OK), evaluated,
                    realBreaching + fill, fill);
            case NOT_BREACHING -> new Verdict(Optional.of(realBreaching >= m ? State.ALARM : State.OK), evaluated,
                    realBreaching, fill);
            case MISSING, IGNORE -> partial(rule, range, real, realBreaching, evaluated);
        };
    }

    /** missing and ignore with some, but fewer than N, real datapoints: nothing is filled in. */
    private static Verdict partial(Rule rule, List<Slot> range, List<Slot> real, int breaching, List<Slot> evaluated) {
        List<Slot> realOnly = evaluated.stream().filter(s -> !s.isMissing()).toList();
        boolean ignore = rule.treatMissing() == TreatMissing.IGNORE;
        if (breaching >= rule.datapointsToAlarm()) {
            return new Verdict(Optional.of(State.ALARM), realOnly, breaching, 0);
        }
        if (breaching < real.size()) {
            // A real non-breaching datapoint: ALARM would need datapoints that are not there.
            return new Verdict(Optional.of(State.OK), realOnly, breaching, 0);
        }
        // Every real datapoint breaches, but fewer than M of them.
        int oldestAge = range.size() - range.indexOf(real.get(0));
        if (oldestAge >= rule.datapointsToAlarm()) {
            return new Verdict(ignore ? Optional.empty() : Optional.of(State.ALARM), realOnly, breaching, 0);
        }
        return new Verdict(ignore ? Optional.empty() : Optional.of(State.INSUFFICIENT_DATA), realOnly, breaching, 0);
    }

    private static List<Slot> newestFirst(List<Slot> slots) {
        return slots.stream().sorted(Comparator.comparing(Slot::start).reversed()).toList();
    }
}
