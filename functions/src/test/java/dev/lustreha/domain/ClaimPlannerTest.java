package dev.lustreha.domain;

import static dev.lustreha.domain.PlannerFixtures.instance;
import static dev.lustreha.domain.PlannerFixtures.role;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClaimPlannerTest {

    private static final String ME = "i-000000000000000aa";
    private static final InstanceView ME_RUNNING = instance(ME, InstanceState.RUNNING);

    private static List<String> candidates(ClaimPlanner.Facts facts) {
        ClaimPlanner.Candidates c = assertInstanceOf(ClaimPlanner.Candidates.class, ClaimPlanner.plan(facts));
        return c.roles().stream().map(r -> r.id().value()).toList();
    }

    @Test
    void resumesTheRoleItAlreadyHolds() {
        Role mine = role("oss03", RoleState.CLAIMED, ME, 4);
        ClaimPlanner.Plan plan = ClaimPlanner.plan(new ClaimPlanner.Facts(ME_RUNNING,
                List.of(role("oss01", RoleState.VACANT, null, 0), mine), Map.of(), Set.of()));
        assertEquals(new ClaimPlanner.Resume(mine), plan);
    }

    @Test
    void prefersVacantThenGivenUpThenDeadOwnersEachLowestFirst() {
        String dead = "i-000000000000000d1";
        String alive = "i-000000000000000a1";
        String zombieOutOfGroup = "i-000000000000000z1";
        List<Role> roles = List.of(
                role("oss07", RoleState.SERVING, dead, 3),
                role("oss06", RoleState.RELEASED, "i-000000000000000r1", 2),
                role("oss05", RoleState.ORPHANED, "i-000000000000000o1", 2),
                role("oss04", RoleState.VACANT, null, 0),
                role("oss02", RoleState.VACANT, null, 0),
                role("oss03", RoleState.SERVING, alive, 1),
                role("oss08", RoleState.RELEASING, "i-000000000000000t1", 5),
                role("oss09", RoleState.SERVING, zombieOutOfGroup, 1));
        Map<String, InstanceView> owners = Map.of(
                dead, instance(dead, InstanceState.STOPPED),
                alive, instance(alive, InstanceState.RUNNING),
                zombieOutOfGroup, instance(zombieOutOfGroup, InstanceState.RUNNING));
        List<String> order = candidates(new ClaimPlanner.Facts(ME_RUNNING, roles, owners, Set.of(alive)));
        assertEquals(List.of("oss02", "oss04", "oss05", "oss06", "oss08", "oss07", "oss09"), order,
                "a serving role with a live owner in its group is never a candidate");
    }

    @Test
    void anOwnerEc2NoLongerListsIsDead() {
        List<Role> roles = List.of(role("mds01", RoleState.SERVING, "i-0000000000000gone", 2));
        assertEquals(List.of("mds01"), candidates(new ClaimPlanner.Facts(ME_RUNNING, roles, Map.of(), Set.of())));
    }

    @Test
    void aClaimInProgressByALiveInstanceIsNotACandidate() {
        String other = "i-000000000000000b2";
        List<Role> roles = List.of(role("oss01", RoleState.CLAIMED, other, 1));
        assertEquals(List.of(), candidates(new ClaimPlanner.Facts(ME_RUNNING, roles,
                Map.of(other, instance(other, InstanceState.PENDING)), Set.of(other))));
    }

    @Test
    void neverCrossesAvailabilityZones() {
        List<Role> roles = List.of(
                role("oss01", RoleState.VACANT, null, 0, "us-east-1b"),
                role("oss02", RoleState.ORPHANED, "i-000000000000000o1", 1, "us-east-1b"));
        assertEquals(List.of(), candidates(new ClaimPlanner.Facts(ME_RUNNING, roles, Map.of(), Set.of())));
        Role mineElsewhere = role("oss03", RoleState.SERVING, ME, 1, "us-east-1b");
        assertEquals(List.of(), candidates(new ClaimPlanner.Facts(ME_RUNNING, List.of(mineElsewhere), Map.of(), Set.of())),
                "not even a role it owns in another AZ");
    }

    @Test
    void aRoleItOwnsButThatWasOrphanedIsClaimedAnew() {
        Role orphanedMine = role("oss01", RoleState.ORPHANED, ME, 2);
        assertEquals(List.of("oss01"), candidates(new ClaimPlanner.Facts(ME_RUNNING, List.of(orphanedMine), Map.of(), Set.of())));
    }
}
