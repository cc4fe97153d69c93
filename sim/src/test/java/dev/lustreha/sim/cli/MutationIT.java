package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A checker that cannot fail proves nothing: each deliberately broken lustre-ha ({@link Mutant}) runs
 * the same random schedules as the real one (which {@link RandomSchedulesIT} shows break nothing),
 * and the simulation must find a violation of the invariant expected for that mutant.
 */
class MutationIT {

    /** Seeds tried per mutant, in order, until one breaks the expected invariant. */
    private static final int SEEDS = 60;

    @ParameterizedTest
    @EnumSource(Mutant.class)
    void theSimulationCatchesTheBrokenVariant(Mutant mutant) {
        long t0 = System.nanoTime();
        List<String> otherFindings = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            RandomSchedules.Outcome o = RandomSchedules.runOne(RandomSchedules.generate(seed), mutant);
            if (o.crash() != null) {
                fail(mutant + ", seed " + seed + ": the run crashed: " + o.crash(), o.crash());
            }
            List<Report.Violation> expected = o.report().violations().stream()
                    .filter(v -> v.invariant().equals(mutant.expected)).toList();
            if (!expected.isEmpty()) {
                System.out.printf("%s caught by %s at seed %d (%d schedules, %.1f s): %s%n", mutant, mutant.expected,
                        seed, seed, (System.nanoTime() - t0) / 1e9, expected.get(0).detail());
                if (mutant == Mutant.FORCE_DETACH_WITHOUT_FENCE) {
                    assertTrue(expected.stream().anyMatch(v -> v.detail().contains("(forced)")),
                            "a forced detach from a server that was not fenced: " + expected);
                }
                return;
            }
            if (!o.ok()) {
                otherFindings.add("seed " + seed + ": " + o.invariant() + " " + o.detail());
            }
        }
        fail(mutant + " was not caught by " + mutant.expected + " in " + SEEDS + " schedules; other findings: "
                + otherFindings);
    }
}
