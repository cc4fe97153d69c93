package dev.lustreha.local.cloudwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lustreha.local.cloudwatch.AlarmEvaluation.Comparison;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Rule;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Slot;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.State;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.TreatMissing;
import dev.lustreha.local.cloudwatch.AlarmEvaluation.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The rule of evaluation against the two tables of "How alarm state is evaluated when data is
 * missing" in "Using Amazon CloudWatch alarms"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data),
 * row by row: evaluation range 5, EvaluationPeriods 3; 0 is non-breaching, X breaching, - missing,
 * the most recent datapoint on the right. RETAIN is the page's "Retain current state".
 */
class AlarmEvaluationTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static List<Slot> range(String row) {
        List<Slot> slots = new ArrayList<>();
        String[] cells = row.trim().split("\\s+");
        for (int i = 0; i < cells.length; i++) {
            Instant start = T0.plusSeconds(300L * i);
            slots.add(switch (cells[i]) {
                case "0" -> new Slot(start, 0.0, 1);
                case "X" -> new Slot(start, 5.0, 1);
                case "-" -> Slot.missing(start);
                default -> throw new IllegalArgumentException(cells[i]);
            });
        }
        return slots;
    }

    /** Threshold 3 (as in the page's figure), GreaterThanThreshold: X = 5 breaches, 0 does not. */
    private static String outcome(int m, TreatMissing treat, String row) {
        Verdict v = AlarmEvaluation.evaluate(new Rule(3, m, Comparison.GREATER, 3.0, treat), range(row));
        return v.state().map(State::name).orElse("RETAIN");
    }

    /** One row of a table: the outcome for each TreatMissingData, M of 3. */
    private static void assertRow(int m, String row, String missing, String ignore, String breaching,
            String notBreaching) {
        assertEquals(List.of(missing, ignore, breaching, notBreaching),
                List.of(outcome(m, TreatMissing.MISSING, row), outcome(m, TreatMissing.IGNORE, row),
                        outcome(m, TreatMissing.BREACHING, row), outcome(m, TreatMissing.NOT_BREACHING, row)),
                "missing, ignore, breaching, notBreaching for " + row);
    }

    @ParameterizedTest(name = "3 of 3: {0}")
    @CsvSource({
            // Data points,  MISSING,            IGNORE,  BREACHING, NOT BREACHING
            "0 - X - X,      OK,                 OK,      OK,        OK",
            "0 - - - -,      OK,                 OK,      OK,        OK",
            "- - - - -,      INSUFFICIENT_DATA,  RETAIN,  ALARM,     OK",
            "0 X X - X,      ALARM,              ALARM,   ALARM,     ALARM",
            "- - X - -,      ALARM,              RETAIN,  ALARM,     OK",
    })
    void theFirstTableThreeOutOfThree(String row, String missing, String ignore, String breaching, String notBreaching) {
        assertRow(3, row, missing, ignore, breaching, notBreaching);
    }

    @ParameterizedTest(name = "2 of 3: {0}")
    @CsvSource({
            "0 - X - X,      ALARM,              ALARM,   ALARM,     ALARM",
            "0 0 X 0 X,      ALARM,              ALARM,   ALARM,     ALARM",
            "0 - X - -,      OK,                 OK,      ALARM,     OK",
            "- - - - 0,      OK,                 OK,      ALARM,     OK",
            "- - - X -,      ALARM,              RETAIN,  ALARM,     OK",
    })
    void theSecondTableTwoOutOfThree(String row, String missing, String ignore, String breaching, String notBreaching) {
        assertRow(2, row, missing, ignore, breaching, notBreaching);
    }

    /**
     * "Avoiding premature transitions to alarm state": with {@code - - - - X} or {@code - - - X -}
     * and DatapointsToAlarm 3 "the alarm does not go immediately into ALARM state". The page's
     * earlier edition listed {@code - - - - X} as INSUFFICIENT_DATA (missing) and "Retain current
     * state" (ignore); a breaching datapoint older than M periods ({@code X - - - -}) gave ALARM.
     */
    @ParameterizedTest(name = "premature: {0}")
    @CsvSource({
            "- - - - X,      INSUFFICIENT_DATA,  RETAIN,  ALARM,     OK",
            "- - - X -,      INSUFFICIENT_DATA,  RETAIN,  ALARM,     OK",
            "X - - - -,      ALARM,              RETAIN,  ALARM,     OK",
    })
    void aRecentLoneBreachDoesNotAlarmPrematurely(String row, String missing, String ignore, String breaching,
            String notBreaching) {
        assertRow(3, row, missing, ignore, breaching, notBreaching);
    }

    /**
     * The page's explanation of row 2: "the alarm stays OK even if missing data is treated as
     * breaching, because the one existing data point is not breaching, and this is evaluated along
     * with two missing data points which are treated as breaching. The next time this alarm is
     * evaluated, if the data is still missing it will go to ALARM".
     */
    @Test
    void breachingFillsTheMostRecentMissingPeriodsAndKeepsTheRealOnes() {
        Rule rule = new Rule(3, 3, Comparison.GREATER, 3.0, TreatMissing.BREACHING);
        Verdict v = AlarmEvaluation.evaluate(rule, range("0 - - - -"));
        assertEquals(Optional.of(State.OK), v.state());
        assertEquals(2, v.filled());
        assertEquals(2, v.breaching());
        // Newest first: the two filled periods are the two most recent, then the real datapoint.
        assertEquals(List.of(T0.plusSeconds(1200), T0.plusSeconds(900), T0), v.evaluated().stream().map(Slot::start).toList());
        assertEquals(Optional.of(State.ALARM), AlarmEvaluation.evaluate(rule, range("- - - - -")).state());
    }

    /** "If no data points in the evaluation range are missing, CloudWatch evaluates ... the most recent data points." */
    @Test
    void withEnoughRealDatapointsOnlyTheMostRecentNCount() {
        Rule rule = new Rule(3, 3, Comparison.GREATER, 3.0, TreatMissing.BREACHING);
        Verdict v = AlarmEvaluation.evaluate(rule, range("0 0 X X X"));
        assertEquals(Optional.of(State.ALARM), v.state());
        assertEquals(0, v.filled());
        assertEquals(3, v.evaluated().size());
    }

    @Test
    void theRuleChecksItsOwnShape() {
        assertThrows(IllegalArgumentException.class, () -> new Rule(2, 3, Comparison.GREATER, 1, TreatMissing.MISSING));
        Rule rule = new Rule(3, 3, Comparison.GREATER, 3.0, TreatMissing.MISSING);
        assertThrows(IllegalArgumentException.class, () -> AlarmEvaluation.evaluate(rule, range("0 0 0")));
    }

    @Test
    void comparisonOperatorsBreachAsNamed() {
        assertEquals(List.of(true, false, false),
                List.of(Comparison.GREATER_OR_EQUAL.breaches(1, 1), Comparison.GREATER.breaches(1, 1),
                        Comparison.LESS.breaches(1, 1)));
        assertEquals(true, Comparison.LESS_OR_EQUAL.breaches(1, 1));
        assertEquals(true, Comparison.LESS.breaches(0, 1));
    }
}
