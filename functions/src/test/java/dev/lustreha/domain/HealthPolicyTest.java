package dev.lustreha.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The health trigger's decision and the reconciler's re-arm rule (docs/detection.md). */
class HealthPolicyTest {

    private static final Instant MOUNTED = Instant.parse("2026-11-21T10:15:00Z");
    private static final HealthPolicy POLICY = new HealthPolicy(3, Duration.ofMinutes(30));
    private static final String OWNER = "i-0a1b2c3d4e5f60002";

    static Role role(RoleState state, long epoch, Optional<Long> mountedEpoch, List<Instant> failovers) {
        RoleKey key = new RoleKey(new FileSystemName("scratch"), RoleId.parse("oss01"));
        return new Role(key, "us-east-1a", Optional.of(OWNER), Optional.empty(), epoch, state, false, MOUNTED,
                MOUNTED, Optional.of(MOUNTED), Optional.empty(), Optional.empty(),
                new RoleHealth(mountedEpoch, mountedEpoch.map(e -> MOUNTED), failovers, Optional.empty()));
    }

    private static Role serving(List<Instant> failovers) {
        return role(RoleState.SERVING, 5, Optional.of(5L), failovers);
    }

    @Test
    void aWindowWhollyAfterTheMountIsAboutTheOwnerAndMovesTheRole() {
        Instant now = MOUNTED.plusSeconds(60);
        HealthPolicy.Decision d = POLICY.decide(serving(List.of()), MOUNTED.plusSeconds(20), now);
        HealthPolicy.Move m = assertInstanceOf(HealthPolicy.Move.class, d);
        assertEquals(OWNER, m.owner());
        assertEquals(5, m.epoch());
        assertEquals(List.of(now), m.failovers());
    }

    @Test
    void aWindowStartingAtTheMountCountsAsAfterIt() {
        assertInstanceOf(HealthPolicy.Move.class, POLICY.decide(serving(List.of()), MOUNTED, MOUNTED.plusSeconds(40)));
    }

    @Test
    void aWindowStartingBeforeTheMountIsIgnoredAndTheAlarmReArmed() {
        HealthPolicy.Decision d = POLICY.decide(serving(List.of()), MOUNTED.minusSeconds(10), MOUNTED.plusSeconds(25));
        HealthPolicy.Ignore i = assertInstanceOf(HealthPolicy.Ignore.class, d);
        assertTrue(i.rearm(), i.reason());
    }

    @Test
    void duringAHandoverOrBeforeTheMountAtThisEpochNothingMoves() {
        Instant late = MOUNTED.plusSeconds(3600);
        for (RoleState s : List.of(RoleState.CLAIMED, RoleState.ORPHANED, RoleState.RELEASING, RoleState.RELEASED)) {
            HealthPolicy.Ignore i = assertInstanceOf(HealthPolicy.Ignore.class,
                    POLICY.decide(role(s, 5, Optional.of(5L), List.of()), late.minusSeconds(30), late));
            assertFalse(i.rearm(), s.name());
        }
        // SERVING at epoch 6, but the targets were last reported mounted at epoch 5: the new owner has not mounted yet.
        HealthPolicy.Ignore i = assertInstanceOf(HealthPolicy.Ignore.class,
                POLICY.decide(role(RoleState.SERVING, 6, Optional.of(5L), List.of()), late.minusSeconds(30), late));
        assertFalse(i.rearm());
        assertInstanceOf(HealthPolicy.Ignore.class,
                POLICY.decide(role(RoleState.SERVING, 6, Optional.empty(), List.of()), late.minusSeconds(30), late));
    }

    @Test
    void theFourthMoveInsideTheWindowIsHeldForAPerson() {
        Instant now = MOUNTED.plusSeconds(3600);
        List<Instant> three = List.of(now.minusSeconds(1700), now.minusSeconds(900), now.minusSeconds(300));
        HealthPolicy.Hold h = assertInstanceOf(HealthPolicy.Hold.class,
                POLICY.decide(serving(three), now.minusSeconds(30), now));
        assertTrue(h.reason().contains("moved 3 times"), h.reason());
        assertTrue(POLICY.damped(serving(three), now));
    }

    @Test
    void movesOlderThanTheWindowNoLongerCountAndAreDropped() {
        Instant now = MOUNTED.plusSeconds(7200);
        List<Instant> old = List.of(now.minusSeconds(1801), now.minusSeconds(900), now.minusSeconds(300));
        HealthPolicy.Move m = assertInstanceOf(HealthPolicy.Move.class,
                POLICY.decide(serving(old), now.minusSeconds(30), now));
        assertEquals(List.of(now.minusSeconds(900), now.minusSeconds(300), now), m.failovers());
        assertFalse(POLICY.damped(serving(old), now));
    }

    @Test
    void theReconcilerReArmsOnlyARaisedAlarmOfAServingMountedUndampedRoleThatNothingMoved() {
        Duration window = Duration.ofSeconds(30);
        Duration grace = Duration.ofSeconds(60);
        Instant since = MOUNTED.minusSeconds(20); // raised by the handover's silence
        assertTrue(POLICY.rearm(serving(List.of()), since, MOUNTED.plusSeconds(60), window, grace));
        // Too soon after the mount for one whole window of the new owner's data.
        assertFalse(POLICY.rearm(serving(List.of()), since, MOUNTED.plusSeconds(20), window, grace));
        // Raised a moment ago: the trigger's event is on its way.
        assertFalse(POLICY.rearm(serving(List.of()), MOUNTED.plusSeconds(50), MOUNTED.plusSeconds(60), window, grace));
        assertFalse(POLICY.rearm(role(RoleState.ORPHANED, 5, Optional.of(5L), List.of()), since,
                MOUNTED.plusSeconds(600), window, grace));
        assertFalse(POLICY.rearm(role(RoleState.SERVING, 6, Optional.of(5L), List.of()), since,
                MOUNTED.plusSeconds(600), window, grace));
        Instant now = MOUNTED.plusSeconds(600);
        List<Instant> three = List.of(now.minusSeconds(500), now.minusSeconds(400), now.minusSeconds(300));
        assertFalse(POLICY.rearm(serving(three), since, now, window, grace), "a damped role keeps its alarm raised");
        assertTrue(POLICY.rearm(serving(three), since, now.plus(Duration.ofMinutes(30)), window, grace),
                "once the window passed, the role may move again");
    }
}
