package dev.lustreha.reconcile;

import static dev.lustreha.reconcile.ReconcileWorld.AZ;
import static dev.lustreha.reconcile.ReconcileWorld.NOW;
import static dev.lustreha.reconcile.ReconcileWorld.OTHER_AZ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.InstanceState;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Tags;
import dev.lustreha.reconcile.ReconcilePlanner.Action;
import dev.lustreha.reconcile.ReconcilePlanner.Alarm;
import dev.lustreha.reconcile.ReconcilePlanner.Bounds;
import dev.lustreha.reconcile.ReconcilePlanner.Drift;
import dev.lustreha.reconcile.ReconcilePlanner.FailOverToStandby;
import dev.lustreha.reconcile.ReconcilePlanner.Hold;
import dev.lustreha.reconcile.ReconcilePlanner.HoldReason;
import dev.lustreha.reconcile.ReconcilePlanner.Plan;
import dev.lustreha.reconcile.ReconcilePlanner.Repair;
import dev.lustreha.reconcile.ReconcilePlanner.ReplaceOwner;
import dev.lustreha.reconcile.ReconcilePlanner.StartHandover;
import dev.lustreha.reconcile.ReconcilePlanner.StartRelease;
import dev.lustreha.reconcile.ReconcilePlanner.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every branch of {@link ReconcilePlanner}: each kind of action, and each reason to do nothing.
 * One world per test, built from the healthy picture and broken in exactly one place.
 */
class ReconcilePlannerTest {

    static final String A = "i-0000000000000000a";
    static final String B = "i-0000000000000000b";
    static final String C = "i-0000000000000000c";
    static final String NEW = "i-0000000000000000e";
    static final String S1 = "i-00000000000000051";
    static final String S2 = "i-00000000000000052";
    static final String TOKEN = "0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e";
    static final String MINUTE = "20261121T1000";

    private static ReconcileWorld healthy() {
        return new ReconcileWorld().serving("mgs", C).serving("oss01", A).serving("oss02", B);
    }

    private static List<Action> actions(ReconcileWorld w) {
        return w.plan().actions();
    }

    private static HoldReason holdOf(Plan plan, String subject) {
        return plan.holds().stream().filter(h -> h.subject().equals(subject)).map(Hold::reason).findFirst()
                .orElseThrow(() -> new AssertionError(subject + " is not held: " + plan));
    }

    @Test
    void aHealthyFileSystemNeedsNothing() {
        Plan plan = healthy().plan();
        assertEquals(List.of(), plan.actions());
        assertEquals(List.of(new Hold("mgs", HoldReason.SERVING), new Hold("oss01", HoldReason.SERVING),
                new Hold("oss02", HoldReason.SERVING)), plan.holds());
    }

    // ---------------------------------------------------------------- stuck executions

    @Nested
    class StuckExecutions {

        @Test
        void anExecutionPastItsBoundRaisesAnAlarmAndStaysInFlight() {
            String name = "launch-" + A + "-" + TOKEN;
            ReconcileWorld w = healthy().instance(A, InstanceState.STOPPED)
                    .running(Workflow.HANDOVER, name, Duration.ofMinutes(46));
            Plan plan = w.plan();
            assertEquals(List.of(new Alarm(Workflow.HANDOVER, name, Duration.ofMinutes(46))), plan.actions(),
                    "its role's owner is dead, but the role is left to the running execution");
            assertEquals(HoldReason.IN_FLIGHT, holdOf(plan, "oss01"));
        }

        @Test
        void anExecutionWithinItsBoundRaisesNothing() {
            ReconcileWorld w = healthy().running(Workflow.RELEASE, "release-" + NEW + "-" + TOKEN, Duration.ofMinutes(44));
            assertEquals(List.of(), actions(w));
        }

        @Test
        void theBoundIsAParameter() {
            ReconcileWorld w = healthy().bounds(new Bounds(Duration.ofSeconds(60), Duration.ofMinutes(5)))
                    .running(Workflow.RELEASE, "release-" + NEW + "-" + TOKEN, Duration.ofMinutes(6));
            assertEquals(List.of(new Alarm(Workflow.RELEASE, "release-" + NEW + "-" + TOKEN, Duration.ofMinutes(6))),
                    actions(w));
        }

        @Test
        void anExecutionWhoseNameIsNotOursStillAlarms() {
            ReconcileWorld w = healthy().running(Workflow.HANDOVER, "manual-test", Duration.ofHours(2));
            assertEquals(List.of(new Alarm(Workflow.HANDOVER, "manual-test", Duration.ofHours(2))), actions(w));
        }
    }

    // ---------------------------------------------------------------- lost lifecycle events

    @Nested
    class LostLifecycleEvents {

        @Test
        void aLaunchWaitingWithoutAnExecutionGetsItsHandover() {
            ReconcileWorld w = healthy().instance(NEW, InstanceState.PENDING, AZ, Map.of(), NOW.minusSeconds(61))
                    .member(NEW, RoleType.OSS, ReconcilePlanner.PENDING_WAIT, true);
            assertEquals(List.of(new StartHandover(NEW, "scratch-oss", RoleType.OSS, "launch-" + NEW + "-r" + MINUTE)),
                    actions(w));
        }

        @Test
        void aLaunchWithinTheGraceIsLeftToItsOwnEvent() {
            ReconcileWorld w = healthy().instance(NEW, InstanceState.PENDING, AZ, Map.of(), NOW.minusSeconds(59))
                    .member(NEW, RoleType.OSS, ReconcilePlanner.PENDING_WAIT, true);
            Plan plan = w.plan();
            assertEquals(List.of(), plan.actions());
            assertEquals(HoldReason.LAUNCH_GRACE, holdOf(plan, NEW));
        }

        @Test
        void aLaunchWhoseLaunchTimeIsUnknownIsActedOn() {
            ReconcileWorld w = healthy().instance(NEW, InstanceState.RUNNING, AZ, Map.of(), null)
                    .member(NEW, RoleType.MDS, ReconcilePlanner.PENDING_WAIT, true);
            assertEquals(List.of(new StartHandover(NEW, "scratch-mds", RoleType.MDS, "launch-" + NEW + "-r" + MINUTE)),
                    actions(w));
        }

        @Test
        void aLaunchWithItsExecutionRunningIsInFlight() {
            ReconcileWorld w = healthy().instance(NEW, InstanceState.PENDING)
                    .member(NEW, RoleType.OSS, ReconcilePlanner.PENDING_WAIT, true)
                    .running(Workflow.HANDOVER, "launch-" + NEW + "-" + TOKEN, Duration.ofMinutes(3));
            Plan plan = w.plan();
            assertEquals(List.of(), plan.actions());
            assertEquals(HoldReason.IN_FLIGHT, holdOf(plan, NEW));
        }

        @Test
        void aTerminationWaitingWithoutAnExecutionGetsItsRelease() {
            ReconcileWorld w = healthy().member(A, RoleType.OSS, ReconcilePlanner.TERMINATING_WAIT, false);
            List<Action> actions = actions(w);
            assertEquals(new StartRelease(A, "scratch-oss", RoleType.OSS, "release-" + A + "-r" + MINUTE), actions.get(0));
            assertEquals(1, actions.size(), "and oss01, whose owner it is, is left to that release: " + actions);
        }

        @Test
        void aTerminationWithItsReleaseRunningIsInFlight() {
            ReconcileWorld w = healthy().member(A, RoleType.OSS, ReconcilePlanner.TERMINATING_WAIT, false)
                    .running(Workflow.RELEASE, "release-" + A + "-" + TOKEN, Duration.ofSeconds(5));
            Plan plan = w.plan();
            assertEquals(List.of(), plan.actions());
            assertEquals(HoldReason.IN_FLIGHT, holdOf(plan, A));
            assertEquals(HoldReason.IN_FLIGHT, holdOf(plan, "oss01"), "an execution for the owner holds its role too");
        }

        @Test
        void otherLifecycleStatesAreNotLostEvents() {
            for (String state : List.of("Pending", "Pending:Proceed", "Terminating", "Terminating:Proceed", "Terminated",
                    "Warmed:Pending:Wait", "Standby")) {
                ReconcileWorld w = healthy().instance(NEW, InstanceState.RUNNING).member(NEW, RoleType.OSS, state, true);
                assertEquals(List.of(), actions(w), state);
            }
        }
    }

    // ---------------------------------------------------------------- roles that need a new owner

    @Nested
    class DeadOwners {

        @Test
        void aDeadOwnerTheGroupStillCountsIsOrphanedAndReplaced() {
            ReconcileWorld w = healthy().instance(A, InstanceState.STOPPED);
            assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss01"), A, true, true)), actions(w));
        }

        @Test
        void aDeadOwnerEc2NoLongerListsIsOrphanedAndReplaced() {
            ReconcileWorld w = healthy();
            w.gone(A).member(A, RoleType.OSS, ReconcilePlanner.IN_SERVICE, true);
            assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss01"), A, true, true)), actions(w));
        }

        @Test
        void aDeadOwnerAlreadyLeavingItsGroupIsOnlyOrphaned() {
            for (ReconcileWorld w : List.of(
                    healthy().instance(A, InstanceState.SHUTTING_DOWN).member(A, RoleType.OSS, "Terminating", false),
                    healthy().instance(A, InstanceState.TERMINATED).leaveGroup(A),
                    healthy().instance(A, InstanceState.STOPPING).member(A, RoleType.OSS, ReconcilePlanner.IN_SERVICE, false))) {
                assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss01"), A, true, false)), actions(w));
            }
        }

        @Test
        void aRunningOwnerItsGroupMarkedUnhealthyIsDead() {
            ReconcileWorld w = healthy().member(A, RoleType.OSS, ReconcilePlanner.IN_SERVICE, false);
            assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss01"), A, true, false)), actions(w),
                    "the group already replaces it (launch before terminate); the claim step sees it dead too");
        }

        @Test
        void aRunningOwnerOutsideTheFileSystemsGroupsIsDead() {
            ReconcileWorld w = healthy().leaveGroup(A);
            assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss01"), A, true, false)), actions(w));
        }

        @Test
        void aGivenUpRoleWhoseOwnerIsLeavingWaitsForTheReplacement() {
            for (RoleState given : List.of(RoleState.ORPHANED, RoleState.RELEASING, RoleState.RELEASED)) {
                ReconcileWorld w = healthy().role("oss03", given, NEW, 2, "launch-" + NEW + "-" + TOKEN)
                        .instance(NEW, InstanceState.TERMINATED).leaveGroup(NEW);
                Plan plan = w.plan();
                assertEquals(List.of(), plan.actions(), given.name());
                assertEquals(HoldReason.REPLACEMENT_UNDER_WAY, holdOf(plan, "oss03"));
            }
        }

        @Test
        void aGivenUpRoleWhoseOwnerTheGroupStillCountsHasTheOwnerReplaced() {
            // A handover failed and gave the claim back; its instance came into service without a role.
            ReconcileWorld w = healthy().role("oss03", RoleState.RELEASED, NEW, 2, "launch-" + NEW + "-" + TOKEN)
                    .live(NEW, RoleType.OSS);
            assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss03"), NEW, false, true)), actions(w));
            ReconcileWorld stopped = healthy().role("oss03", RoleState.ORPHANED, NEW, 2, null)
                    .instance(NEW, InstanceState.STOPPED).member(NEW, RoleType.OSS, ReconcilePlanner.IN_SERVICE, true);
            assertEquals(List.of(new ReplaceOwner(stopped.roleNamed("oss03"), NEW, false, true)), actions(stopped));
        }

        @Test
        void aNeverClaimedRoleWithoutAStandbyWaitsForALaunch() {
            Plan plan = healthy().role("oss03", RoleState.VACANT, null, 0, null).plan();
            assertEquals(List.of(), plan.actions());
            assertEquals(HoldReason.NO_STANDBY, holdOf(plan, "oss03"));
        }
    }

    // ---------------------------------------------------------------- standbys

    @Nested
    class Standbys {

        @Test
        void aReadyStandbyTakesTheRoleOfADeadOwnerAndNobodyIsReplaced() {
            ReconcileWorld w = healthy().instance(A, InstanceState.TERMINATED).standby(S1, RoleType.OSS);
            assertEquals(List.of(new FailOverToStandby(w.roleNamed("oss01"), S1, "scratch-oss",
                    "standby-" + S1 + "-oss01-e1-r" + MINUTE)), actions(w));
        }

        @Test
        void aStandbyTakesOrphanedReleasedReleasingAndNeverClaimedRoles() {
            for (RoleState state : List.of(RoleState.ORPHANED, RoleState.RELEASED, RoleState.RELEASING, RoleState.VACANT)) {
                String owner = state == RoleState.VACANT ? null : NEW;
                ReconcileWorld w = healthy().role("oss03", state, owner, state == RoleState.VACANT ? 0 : 4, null)
                        .instance(NEW, InstanceState.TERMINATED).standby(S1, RoleType.OSS);
                assertEquals(List.of(new FailOverToStandby(w.roleNamed("oss03"), S1, "scratch-oss",
                        "standby-" + S1 + "-oss03-e" + w.roleNamed("oss03").epoch() + "-r" + MINUTE)), actions(w), state.name());
            }
        }

        @Test
        void aStandbyInAnotherAzIsNotReady() {
            ReconcileWorld w = healthy().instance(A, InstanceState.TERMINATED).standby(S1, RoleType.OSS, OTHER_AZ);
            assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss01"), A, true, true)), actions(w));
        }

        @Test
        void aStandbyOfAnotherRoleTypeIsNotReady() {
            ReconcileWorld w = healthy().instance(A, InstanceState.TERMINATED).standby(S1, RoleType.MDS);
            assertEquals(List.of(new ReplaceOwner(w.roleNamed("oss01"), A, true, true)), actions(w));
        }

        @Test
        void anInstanceIsOnlyReadyWhenInServiceHealthyRunningTaggedAndFree() {
            List<ReconcileWorld> notReady = List.of(
                    base().instance(S1, InstanceState.RUNNING, AZ, Map.of(), NOW.minusSeconds(3600))
                            .member(S1, RoleType.OSS, ReconcilePlanner.IN_SERVICE, true),
                    base().standby(S1, RoleType.OSS).member(S1, RoleType.OSS, ReconcilePlanner.PENDING_WAIT, true)
                            .running(Workflow.HANDOVER, "launch-" + S1 + "-" + TOKEN, Duration.ofSeconds(20)),
                    base().standby(S1, RoleType.OSS).member(S1, RoleType.OSS, ReconcilePlanner.IN_SERVICE, false),
                    base().standby(S1, RoleType.OSS).instance(S1, InstanceState.STOPPING, AZ,
                            Map.of(Tags.STANDBY, "scratch"), NOW.minusSeconds(3600)),
                    base().standby(S1, RoleType.OSS).role("oss03", RoleState.RELEASED, S1, 3, "standby-" + S1 + "-oss03-e2-r"
                            + MINUTE),
                    base().standby(S1, RoleType.OSS).running(Workflow.HANDOVER, "repair-" + S1 + "-oss04-e2-r" + MINUTE,
                            Duration.ofSeconds(30)),
                    base().standby(S1, RoleType.OSS).gone(S1).member(S1, RoleType.OSS, ReconcilePlanner.IN_SERVICE, true));
            for (ReconcileWorld w : notReady) {
                assertTrue(actions(w).stream().noneMatch(FailOverToStandby.class::isInstance), w.facts().toString());
                assertTrue(actions(w).contains(new ReplaceOwner(w.roleNamed("oss01"), A, true, true)));
            }
        }

        private static ReconcileWorld base() {
            return healthy().instance(A, InstanceState.TERMINATED);
        }

        @Test
        void oneStandbyTakesOneRoleTheFirstInClaimOrder() {
            // Claim order: never claimed, then given up, then a dead owner's; lowest id first.
            ReconcileWorld w = new ReconcileWorld().serving("mgs", C).serving("oss01", A)
                    .role("oss02", RoleState.ORPHANED, B, 3, null).instance(B, InstanceState.TERMINATED)
                    .instance(A, InstanceState.STOPPED).standby(S1, RoleType.OSS);
            assertEquals(List.of(
                    new FailOverToStandby(w.roleNamed("oss02"), S1, "scratch-oss", "standby-" + S1 + "-oss02-e3-r" + MINUTE),
                    new ReplaceOwner(w.roleNamed("oss01"), A, true, true)), actions(w));
            w.role("oss09", RoleState.VACANT, null, 0, null);
            assertEquals(new FailOverToStandby(w.roleNamed("oss09"), S1, "scratch-oss",
                    "standby-" + S1 + "-oss09-e0-r" + MINUTE), actions(w).get(0), "a never-claimed role first");
        }

        @Test
        void twoStandbysTakeTwoRolesLowestInstanceFirstNeverTwoRolesToOne() {
            ReconcileWorld w = healthy().instance(A, InstanceState.TERMINATED).instance(B, InstanceState.TERMINATED)
                    .standby(S2, RoleType.OSS).standby(S1, RoleType.OSS);
            assertEquals(List.of(
                    new FailOverToStandby(w.roleNamed("oss01"), S1, "scratch-oss", "standby-" + S1 + "-oss01-e1-r" + MINUTE),
                    new FailOverToStandby(w.roleNamed("oss02"), S2, "scratch-oss", "standby-" + S2 + "-oss02-e1-r" + MINUTE)),
                    actions(w));
        }

        @Test
        void aStandbyGetsAHungOwnersRoleOnceItsGroupMarkedItUnhealthy() {
            ReconcileWorld w = healthy().member(A, RoleType.OSS, ReconcilePlanner.IN_SERVICE, false).standby(S1, RoleType.OSS);
            assertEquals(List.of(new FailOverToStandby(w.roleNamed("oss01"), S1, "scratch-oss",
                    "standby-" + S1 + "-oss01-e1-r" + MINUTE)), actions(w), "the handover fences it with a forced stop");
        }

        @Test
        void aStandbyIsNotGivenARoleWhileItsStandbyExecutionRuns() {
            ReconcileWorld w = healthy().instance(A, InstanceState.TERMINATED).standby(S1, RoleType.OSS)
                    .running(Workflow.HANDOVER, "standby-" + S1 + "-oss01-e1-r20261121T0958", Duration.ofMinutes(2));
            Plan plan = w.plan();
            assertEquals(List.of(), plan.actions());
            assertEquals(HoldReason.IN_FLIGHT, holdOf(plan, "oss01"), "the execution names the role");
        }
    }

    // ---------------------------------------------------------------- in flight

    @Nested
    class InFlight {

        @Test
        void theExecutionThatClaimedTheRoleIsRunning() {
            ReconcileWorld w = healthy().role("oss03", RoleState.CLAIMED, NEW, 2, "launch-" + NEW + "-" + TOKEN)
                    .instance(NEW, InstanceState.TERMINATED)
                    .running(Workflow.HANDOVER, "launch-" + NEW + "-" + TOKEN, Duration.ofMinutes(1));
            Plan plan = w.plan();
            assertEquals(List.of(), plan.actions());
            assertEquals(HoldReason.IN_FLIGHT, holdOf(plan, "oss03"));
        }

        @Test
        void theExecutionThatClaimedTheRoleIsRunningUnderANameNotOurs() {
            ReconcileWorld w = healthy().role("oss03", RoleState.CLAIMED, NEW, 2, "by-hand")
                    .instance(NEW, InstanceState.TERMINATED).running(Workflow.HANDOVER, "by-hand", Duration.ofMinutes(1));
            assertEquals(HoldReason.IN_FLIGHT, holdOf(w.plan(), "oss03"));
        }

        @Test
        void anExecutionForTheOwnerIsRunning() {
            ReconcileWorld w = healthy().instance(A, InstanceState.STOPPED)
                    .running(Workflow.HANDOVER, "repair-" + A + "-oss01-e1-r" + MINUTE, Duration.ofMinutes(1));
            assertEquals(HoldReason.IN_FLIGHT, holdOf(w.plan(), "oss01"));
            assertEquals(List.of(), actions(w));
        }

        @Test
        void theOwnerIsGivenAHandoverInThisVeryPlan() {
            // The owner waits in Pending:Wait without an execution (a lost event after its claim stalled).
            ReconcileWorld w = healthy().role("oss03", RoleState.CLAIMED, NEW, 2, "launch-" + NEW + "-" + TOKEN)
                    .instance(NEW, InstanceState.RUNNING).member(NEW, RoleType.OSS, ReconcilePlanner.PENDING_WAIT, true)
                    .attachEni("oss03", NEW).attachVolume("oss03", NEW);
            Plan plan = w.plan();
            assertEquals(List.of(new StartHandover(NEW, "scratch-oss", RoleType.OSS, "launch-" + NEW + "-r" + MINUTE)),
                    plan.actions(), "one action per instance: its handover resumes the stalled claim");
            assertEquals(HoldReason.IN_FLIGHT, holdOf(plan, "oss03"));
        }
    }

    // ---------------------------------------------------------------- drift under a live owner

    @Nested
    class Repairs {

        @Test
        void aVolumeAttachedToANonOwnerIsRepairedThroughTheWorkflow() {
            ReconcileWorld w = healthy().live(NEW, RoleType.OSS).attachVolume("oss01", NEW);
            assertEquals(List.of(new Repair(w.roleNamed("oss01"), A, "scratch-oss", Drift.FOREIGN_HOLDER, List.of(NEW),
                    "repair-" + A + "-oss01-e1-r" + MINUTE)), actions(w));
        }

        @Test
        void anEniAndAVolumeOnTwoNonOwnersNameBothHolders() {
            ReconcileWorld w = healthy().attachEni("oss01", B).attachVolume("oss01", NEW).instance(NEW, InstanceState.STOPPED);
            List<Action> actions = actions(w);
            assertEquals(List.of(new Repair(w.roleNamed("oss01"), A, "scratch-oss", Drift.FOREIGN_HOLDER, List.of(B, NEW),
                    "repair-" + A + "-oss01-e1-r" + MINUTE)), actions, "never a direct detach, whoever holds them");
        }

        @Test
        void aResourceAttachedNowhereIsRepaired() {
            ReconcileWorld w = healthy().detachVolume("oss02");
            assertEquals(List.of(new Repair(w.roleNamed("oss02"), B, "scratch-oss", Drift.DETACHED, List.of(),
                    "repair-" + B + "-oss02-e1-r" + MINUTE)), actions(w));
        }

        @Test
        void aClaimWithNothingRunningToFinishItIsResumed() {
            ReconcileWorld w = healthy().role("oss03", RoleState.CLAIMED, NEW, 2, "launch-" + NEW + "-" + TOKEN)
                    .live(NEW, RoleType.OSS).attachEni("oss03", NEW).attachVolume("oss03", NEW);
            assertEquals(List.of(new Repair(w.roleNamed("oss03"), NEW, "scratch-oss", Drift.STALLED_CLAIM, List.of(),
                    "repair-" + NEW + "-oss03-e2-r" + MINUTE)), actions(w));
        }

        @Test
        void aForeignHolderOutranksAStalledClaim() {
            ReconcileWorld w = healthy().role("oss03", RoleState.CLAIMED, NEW, 2, null).live(NEW, RoleType.OSS)
                    .attachVolume("oss03", C);
            assertEquals(Drift.FOREIGN_HOLDER, ((Repair) actions(w).get(0)).drift());
        }

        @Test
        void resourcesEc2NoLongerListsCannotBeRepaired() {
            Plan plan = healthy().forgetEni("oss02").plan();
            assertEquals(List.of(), plan.actions());
            assertEquals(HoldReason.RESOURCES_GONE, holdOf(plan, "oss02"));
        }

        @Test
        void aRoleWithoutRegisteredResourcesIsLeftAlone() {
            Plan plan = healthy().unregistered("oss05", RoleState.ORPHANED, NEW, 3).standby(S1, RoleType.OSS).plan();
            assertEquals(List.of(), plan.actions(), "the claim step would not take it either");
            assertEquals(HoldReason.UNREGISTERED, holdOf(plan, "oss05"));
        }
    }

    // ---------------------------------------------------------------- independent decisions

    @Test
    void everyKindOfActionInOnePlanEachInItsOrder() {
        ReconcileWorld w = healthy()
                .running(Workflow.RELEASE, "release-" + C + "-" + TOKEN, Duration.ofHours(1))
                .instance(NEW, InstanceState.PENDING).member(NEW, RoleType.OSS, ReconcilePlanner.PENDING_WAIT, true)
                .instance(S2, InstanceState.RUNNING).member(S2, RoleType.OSS, ReconcilePlanner.TERMINATING_WAIT, false)
                .instance(A, InstanceState.TERMINATED).standby(S1, RoleType.OSS)
                .live("i-000000000000000dd", RoleType.MDS).role("mds01", RoleState.SERVING, "i-000000000000000dd", 5, null)
                .attachEni("mds01", "i-000000000000000dd").attachVolume("mds01", B)
                .role("oss03", RoleState.SERVING, "i-000000000000000f3", 2, null).instance("i-000000000000000f3",
                        InstanceState.STOPPED).member("i-000000000000000f3", RoleType.OSS, ReconcilePlanner.IN_SERVICE, true);
        List<Class<?>> kinds = actions(w).stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(Alarm.class, StartHandover.class, StartRelease.class, Repair.class, FailOverToStandby.class,
                ReplaceOwner.class), kinds, actions(w).toString());
    }

    // ---------------------------------------------------------------- names

    @Nested
    class Names {

        @Test
        void namesSayWhichInstanceAndRoleTheyConcern() {
            assertEquals(java.util.Optional.of(A), ExecutionNames.instanceOf("launch-" + A + "-" + TOKEN));
            assertEquals(java.util.Optional.of(A), ExecutionNames.instanceOf("release-" + A));
            assertEquals(java.util.Optional.of(A), ExecutionNames.instanceOf("launch-" + A + "-r" + MINUTE));
            assertEquals(java.util.Optional.of(S1), ExecutionNames.instanceOf("standby-" + S1 + "-oss12-e7-r" + MINUTE));
            assertEquals(java.util.Optional.of("oss12"), ExecutionNames.roleOf("standby-" + S1 + "-oss12-e7-r" + MINUTE));
            assertEquals(java.util.Optional.of("mgs"), ExecutionNames.roleOf("repair-" + S1 + "-mgs-e1-r" + MINUTE));
            assertEquals(java.util.Optional.empty(), ExecutionNames.roleOf("launch-" + A + "-" + TOKEN));
            assertEquals(java.util.Optional.empty(), ExecutionNames.instanceOf("by-hand"));
            assertEquals(java.util.Optional.empty(), ExecutionNames.roleOf(null));
        }

        @Test
        void namesAreValidStepFunctionsNamesEvenAtTheirLongest() {
            ReconcileWorld w = new ReconcileWorld().role("oss9999", RoleState.ORPHANED, A, Long.MAX_VALUE, null);
            String id = "i-0123456789abcdef0";
            for (String name : List.of(ExecutionNames.standby(id, w.roleNamed("oss9999"), NOW),
                    ExecutionNames.repair(id, w.roleNamed("oss9999"), NOW), ExecutionNames.launch(id, NOW),
                    ExecutionNames.release(id, NOW))) {
                assertTrue(name.length() <= 80, name);
                assertTrue(name.matches("[A-Za-z0-9_-]+"), name);
                assertEquals(java.util.Optional.of(id), ExecutionNames.instanceOf(name));
            }
        }
    }
}
