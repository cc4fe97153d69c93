package dev.lustreha.domain;

import static dev.lustreha.domain.PlannerFixtures.T0;
import static dev.lustreha.domain.PlannerFixtures.eni;
import static dev.lustreha.domain.PlannerFixtures.instance;
import static dev.lustreha.domain.PlannerFixtures.resources;
import static dev.lustreha.domain.PlannerFixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FenceAndMovePlannerTest {

    private static final String ME = "i-000000000000000aa";
    private static final String OLD = "i-000000000000000bb";
    private static final Duration STUCK = Duration.ofSeconds(120);

    // ---------------------------------------------------------------- fence

    @Test
    void aRunningHolderIsStoppedOnceAndWaitedFor() {
        Map<String, InstanceView> views = Map.of(OLD, instance(OLD, InstanceState.RUNNING));
        FencePlanner.Decision first = FencePlanner.decide(List.of(OLD), views, Set.of());
        assertEquals(List.of(OLD), first.toStop());
        assertFalse(first.fenced());
        FencePlanner.Decision again = FencePlanner.decide(List.of(OLD),
                Map.of(OLD, instance(OLD, InstanceState.STOPPING)), Set.of(OLD));
        assertEquals(List.of(), again.toStop(), "one forced stop per holder");
        assertEquals(List.of(OLD), again.waitingOn());
    }

    @Test
    void aStoppingHolderNotYetForcedIsForced() {
        assertEquals(List.of(OLD), FencePlanner.decide(List.of(OLD),
                Map.of(OLD, instance(OLD, InstanceState.STOPPING)), Set.of()).toStop());
    }

    @Test
    void onlyStoppedOrTerminatedIsFenced() {
        for (InstanceState s : InstanceState.values()) {
            FencePlanner.Decision d = FencePlanner.decide(List.of(OLD), Map.of(OLD, instance(OLD, s)), Set.of(OLD));
            assertEquals(s == InstanceState.STOPPED || s == InstanceState.TERMINATED, d.fenced(), s.toString());
        }
        assertTrue(FencePlanner.decide(List.of(OLD), Map.of(), Set.of()).fenced(), "EC2 no longer lists it: long gone");
    }

    @Test
    void pendingAndShuttingDownHoldersAreWaitedForNotStopped() {
        for (InstanceState s : List.of(InstanceState.PENDING, InstanceState.SHUTTING_DOWN)) {
            FencePlanner.Decision d = FencePlanner.decide(List.of(OLD), Map.of(OLD, instance(OLD, s)), Set.of());
            assertEquals(List.of(), d.toStop(), s.toString());
            assertFalse(d.fenced());
        }
    }

    // ---------------------------------------------------------------- detach

    @Test
    void nothingIsDetachedFromAnUnfencedHolder() {
        DetachPlanner.Decision d = DetachPlanner.decide(ME, eni(OLD, "attached"),
                List.of(volume("vol-0000000000000000a", OLD, "attached")),
                Map.of(OLD, instance(OLD, InstanceState.STOPPING)), Map.of(), T0, STUCK);
        assertEquals(List.of(), d.detaches());
        assertEquals(List.of(OLD), d.unfenced());
        assertFalse(d.done());
    }

    @Test
    void aFencedHolderGetsANormalDetachFirst() {
        DetachPlanner.Decision d = DetachPlanner.decide(ME, eni(OLD, "attached"),
                List.of(volume("vol-0000000000000000a", OLD, "attached"), volume("vol-0000000000000000b", null, null)),
                Map.of(OLD, instance(OLD, InstanceState.STOPPED)), Map.of(), T0, STUCK);
        assertEquals(List.of(
                new DetachPlanner.Detach(DetachPlanner.Kind.ENI, "eni-0000000000000000a", OLD, "eni-attach-0000000000000000a", false),
                new DetachPlanner.Detach(DetachPlanner.Kind.VOLUME, "vol-0000000000000000a", OLD, null, false)), d.detaches());
        assertFalse(d.done());
    }

    @Test
    void forceOnlyWhenFencedAndStuck() {
        Map<String, InstanceView> fenced = Map.of(OLD, instance(OLD, InstanceState.STOPPED));
        DetachPlanner.Decision busy = DetachPlanner.decide(ME, eni(null, null),
                List.of(volume("vol-0000000000000000a", OLD, "busy")), fenced, Map.of(), T0, STUCK);
        assertTrue(busy.detaches().get(0).force(), "busy on a fenced holder: force");

        DetachPlanner.Decision young = DetachPlanner.decide(ME, eni(null, null),
                List.of(volume("vol-0000000000000000a", OLD, "detaching")), fenced,
                Map.of("vol-0000000000000000a", T0), T0.plusSeconds(119), STUCK);
        assertEquals(List.of(), young.detaches(), "detaching within the bound: wait");

        DetachPlanner.Decision old = DetachPlanner.decide(ME, eni(OLD, "detaching"),
                List.of(volume("vol-0000000000000000a", OLD, "detaching")), fenced,
                Map.of("vol-0000000000000000a", T0, "eni-0000000000000000a", T0), T0.plusSeconds(120), STUCK);
        assertTrue(old.detaches().stream().allMatch(DetachPlanner.Detach::force));
        assertEquals(2, old.detaches().size());

        DetachPlanner.Decision busyUnfenced = DetachPlanner.decide(ME, eni(null, null),
                List.of(volume("vol-0000000000000000a", OLD, "busy")),
                Map.of(OLD, instance(OLD, InstanceState.RUNNING)), Map.of(), T0, STUCK);
        assertEquals(List.of(), busyUnfenced.detaches(), "never force from a running holder");
    }

    @Test
    void doneWhenNothingIsAttachedElsewhere() {
        DetachPlanner.Decision d = DetachPlanner.decide(ME, eni(ME, "attached"),
                List.of(volume("vol-0000000000000000a", ME, "attached"), volume("vol-0000000000000000b", null, null)),
                Map.of(), Map.of(), T0, STUCK);
        assertTrue(d.done());
        assertEquals(List.of(), d.detaches());
    }

    // ---------------------------------------------------------------- attach

    @Test
    void waitsWhileTheNewOwnerIsPending() {
        AttachPlanner.Decision d = AttachPlanner.decide(instance(ME, InstanceState.PENDING),
                resources("vol-0000000000000000a"), eni(null, null), List.of(volume("vol-0000000000000000a", null, null)));
        assertTrue(d.notReady());
        assertFalse(d.attachEni());
        assertEquals(List.of(), d.attachVolumes());
    }

    @Test
    void attachesWhatIsAvailableAndIsDoneWhenAllIsAttached() {
        RoleResources res = resources("vol-0000000000000000a", "vol-0000000000000000b");
        AttachPlanner.Decision start = AttachPlanner.decide(instance(ME, InstanceState.RUNNING), res, eni(null, null),
                List.of(volume("vol-0000000000000000a", null, null), volume("vol-0000000000000000b", ME, "attaching")));
        assertTrue(start.attachEni());
        assertEquals(List.of(res.volumes().get(0)), start.attachVolumes());
        assertFalse(start.done());

        AttachPlanner.Decision done = AttachPlanner.decide(instance(ME, InstanceState.RUNNING), res, eni(ME, "attached"),
                List.of(volume("vol-0000000000000000a", ME, "attached"), volume("vol-0000000000000000b", ME, "attached")));
        assertTrue(done.done());
        assertFalse(done.attachEni());
    }

    @Test
    void reportsResourcesStillHeldElsewhere() {
        AttachPlanner.Decision d = AttachPlanner.decide(instance(ME, InstanceState.RUNNING),
                resources("vol-0000000000000000a"), eni(OLD, "attached"),
                List.of(volume("vol-0000000000000000a", OLD, "attached")));
        assertEquals(List.of("eni-0000000000000000a", "vol-0000000000000000a"), d.heldByOthers());
    }
}
