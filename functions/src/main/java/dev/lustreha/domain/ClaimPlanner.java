package dev.lustreha.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which role a launching instance should claim (docs/design.md §3, step 1). Only roles whose resources
 * are in the instance's AZ are candidates. Preference: the role the instance already owns (a
 * retried claim) → never-claimed roles (the first claim formats) → roles given up (orphaned,
 * released, releasing) → roles whose owner is no longer running or no longer in service in its
 * Auto Scaling group. Within each class, lowest role id first: deterministic, never random.
 */
public final class ClaimPlanner {

    private static final Set<RoleState> GIVEN_UP = EnumSet.of(RoleState.ORPHANED, RoleState.RELEASED, RoleState.RELEASING);
    private static final Set<RoleState> HELD = EnumSet.of(RoleState.CLAIMED, RoleState.SERVING);

    private ClaimPlanner() {
    }

    /**
     * What is known when a claim is planned.
     *
     * @param me the launching instance
     * @param roles the roles of the instance's role type
     * @param owners the current owners of those roles as EC2 describes them; an owner EC2 no longer
     *     lists is absent
     * @param inService the instances an Auto Scaling group counts as live (Pending* or InService)
     */
    public record Facts(InstanceView me, List<Role> roles, Map<String, InstanceView> owners, Set<String> inService) {
    }

    /** The plan: resume a claim this instance already holds, or try the candidates in order. */
    public sealed interface Plan permits Resume, Candidates {
    }

    /** The instance already holds this role (its claim step is being retried). */
    public record Resume(Role role) implements Plan {
    }

    /** Roles to try claiming in this order; empty means the instance becomes a standby. */
    public record Candidates(List<Role> roles) implements Plan {
    }

    public static Plan plan(Facts facts) {
        String me = facts.me().instanceId();
        String az = facts.me().availabilityZone();
        List<Role> sameAz = facts.roles().stream()
                .filter(r -> r.availabilityZone().equals(az))
                .sorted(Comparator.comparing(Role::id))
                .toList();
        Optional<Role> mine = sameAz.stream()
                .filter(r -> r.isOwnedBy(me) && HELD.contains(r.state()))
                .findFirst();
        if (mine.isPresent()) {
            return new Resume(mine.get());
        }
        List<Role> vacant = new ArrayList<>();
        List<Role> givenUp = new ArrayList<>();
        List<Role> deadOwner = new ArrayList<>();
        for (Role r : sameAz) {
            if (r.state() == RoleState.VACANT) {
                vacant.add(r);
            } else if (GIVEN_UP.contains(r.state())) {
                givenUp.add(r);
            } else if (!ownerAlive(r.owner().orElseThrow(), facts)) {
                deadOwner.add(r);
            }
        }
        List<Role> ordered = new ArrayList<>(vacant);
        ordered.addAll(givenUp);
        ordered.addAll(deadOwner);
        return new Candidates(List.copyOf(ordered));
    }

    /** An owner is alive while EC2 says running (or pending) and its group still counts it. */
    static boolean ownerAlive(String owner, Facts facts) {
        InstanceView view = facts.owners().get(owner);
        if (view == null) {
            return false;
        }
        boolean running = view.state() == InstanceState.RUNNING || view.state() == InstanceState.PENDING;
        return running && facts.inService().contains(owner);
    }
}
