package dev.lustreha.domain;

import static dev.lustreha.domain.PlannerFixtures.T0;
import static dev.lustreha.domain.PlannerFixtures.eni;
import static dev.lustreha.domain.PlannerFixtures.instance;
import static dev.lustreha.domain.PlannerFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Fence and detach when the previous owner confirmed it unmounted for a planned move (docs/design.md §3). */
class PlannedMovePlannerTest {

    private static final String ME = "i-000000000000000aa";
    private static final String OLD = "i-000000000000000bb";
    private static final String OTHER = "i-000000000000000cc";
    private static final Duration STUCK = Duration.ofSeconds(120);

    @Test
    void aReleasedPreviousOwnerIsNeitherStoppedNorWaitedForButAnotherHolderIs() {
        FencePlanner.Decision d = FencePlanner.decide(List.of(OLD, OTHER), Map.of(OLD, instance(OLD,
                InstanceState.RUNNING), OTHER, instance(OTHER, InstanceState.RUNNING)), Set.of(), Set.of(OLD));
        assertEquals(List.of(OTHER), d.toStop());
        assertEquals(List.of(OTHER), d.waitingOn());
        assertTrue(FencePlanner.decide(List.of(OLD), Map.of(OLD, instance(OLD, InstanceState.RUNNING)), Set.of(),
                Set.of(OLD)).fenced());
    }

    @Test
    void aReleasedRunningHolderGetsNormalDetachesOnly() {
        DetachPlanner.Decision d = DetachPlanner.decide(ME, eni(OLD, "attached"),
                List.of(volume("vol-0000000000000000a", OLD, "attached"), volume("vol-0000000000000000b", OLD, "busy")),
                Map.of(OLD, instance(OLD, InstanceState.RUNNING)), Map.of("vol-0000000000000000b", T0), T0.plus(STUCK),
                STUCK, Set.of(OLD));
        assertEquals(List.of(), d.unfenced());
        assertEquals(List.of(
                new DetachPlanner.Detach(DetachPlanner.Kind.ENI, "eni-0000000000000000a", OLD, "eni-attach-0000000000000000a",
                        false),
                new DetachPlanner.Detach(DetachPlanner.Kind.VOLUME, "vol-0000000000000000a", OLD, null, false)),
                d.detaches(), "a busy volume on a running server is never forced off: the move's bound ends it");
        assertFalse(d.done());
    }

    @Test
    void withoutTheReleaseARunningHolderIsUnfenced() {
        DetachPlanner.Decision d = DetachPlanner.decide(ME, eni(OLD, "attached"), List.of(),
                Map.of(OLD, instance(OLD, InstanceState.RUNNING)), Map.of(), T0, STUCK, Set.of(OTHER));
        assertEquals(List.of(OLD), d.unfenced());
        assertEquals(List.of(), d.detaches());
    }

    @Test
    void theUnmountReportCountsOnlyAtItsOwnEpoch() {
        RoleHealth h = new RoleHealth(java.util.Optional.of(3L), java.util.Optional.of(T0), List.of(),
                java.util.Optional.empty(), java.util.Optional.of(3L), java.util.Optional.of(3L));
        assertTrue(h.unmountedAt(3));
        assertFalse(h.unmountedAt(4));
        assertFalse(RoleHealth.NONE.unmountedAt(0));
    }
}
