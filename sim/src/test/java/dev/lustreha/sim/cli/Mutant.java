package dev.lustreha.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.local.sfn.VirtualStepFunctions;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.sim.Mutation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DetachNetworkInterfaceRequest;
import software.amazon.awssdk.services.ec2.model.DetachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Reservation;

/**
 * The deliberately broken variants of lustre-ha the mutation checks run, each with the invariant
 * that must catch it. Each breaks one safety of the real system through the seams the local cloud
 * assembles it from (the state machine definition, the EC2 client and the role store the steps
 * use), never by editing production code.
 *
 * <p>The detach step refuses on its own to detach from a holder that is not fenced
 * ({@code DetachPlanner}): defence in depth. The mutants that skip or reorder the fence take that
 * guard away too (the detach step is shown every holder as stopped), or they would only be slower.
 */
enum Mutant implements Mutation {

    /** The Fence state is gone from the workflow, and the detach step's own fence check with it. */
    FENCE_SKIPPED("I2") {
        @Override
        public String handoverDefinition(String json) {
            return edit(json, states -> {
                choiceTo(states, "Claimed?", "Fence", "Detach");
                catchTo(states, "Detach", "Fence", "WaitForDetach");
                catchTo(states, "Attach", "Fence", "WaitForDetach");
            });
        }

        @Override
        public Ec2Client ec2(Ec2Client ec2) {
            return fencedInDetach(ec2, false);
        }
    },

    /** Detach runs before Fence (and the detach step's own fence check is gone). */
    DETACH_BEFORE_FENCE("I2") {
        @Override
        public String handoverDefinition(String json) {
            return edit(json, states -> {
                choiceTo(states, "Claimed?", "Fence", "Detach");
                choiceTo(states, "Detached?", "Attach", "Fence");
                ((ObjectNode) states.get("Fenced?")).put("Default", "Attach"); // fenced: on to Attach, never Detach
                catchTo(states, "Detach", "Fence", "WaitForDetach");
            });
        }

        @Override
        public Ec2Client ec2(Ec2Client ec2) {
            return fencedInDetach(ec2, false);
        }
    },

    /** Every detach is forced, and nothing is fenced first. */
    FORCE_DETACH_WITHOUT_FENCE("I2") {
        @Override
        public String handoverDefinition(String json) {
            return FENCE_SKIPPED.handoverDefinition(json);
        }

        @Override
        public Ec2Client ec2(Ec2Client ec2) {
            return fencedInDetach(ec2, true);
        }
    },

    /**
     * Steps never compare epochs: the store shows each step the role as the step believes it is, and
     * writes whatever it is asked, whoever owns the role now.
     */
    EPOCH_CONDITION_DROPPED("I3") {
        @Override
        public RoleStore store(RoleStore store) {
            return new EpochBlindStore(store);
        }

        @Override
        public Optional<VirtualStepFunctions.TaskInterceptor> interceptor(RoleStore store) {
            return Optional.of((call, next) -> {
                BELIEF.set(belief(call.input()));
                try {
                    return next.invoke(call.resource(), call.input());
                } finally {
                    BELIEF.remove();
                }
            });
        }
    },

    /** The Complete state is gone: every handover ends without completing its lifecycle action. */
    LIFECYCLE_ACTION_NEVER_COMPLETED("I5") {
        @Override
        public String handoverDefinition(String json) {
            return edit(json, states -> states.putObject("Complete").put("Type", "Succeed"));
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The step running on this thread, while the epoch-blind store serves it: the owner and epoch it carries. */
    private static final ThreadLocal<Belief> BELIEF = new ThreadLocal<>();
    /** Which step runs on this thread (each simulated run has a thread of its own). */
    private static final ThreadLocal<String> STEP = new ThreadLocal<>();

    final String expected;

    Mutant(String expected) {
        this.expected = expected;
    }

    /** Every mutant knows which step runs, for the EC2 client's lies scoped to one step. */
    @Override
    public Optional<VirtualStepFunctions.TaskInterceptor> interceptor(RoleStore store) {
        return Optional.of((call, next) -> {
            STEP.set(call.state());
            try {
                return next.invoke(call.resource(), call.input());
            } finally {
                STEP.remove();
            }
        });
    }

    // ---------------------------------------------------------------- the definition

    private static String edit(String json, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(json);
            change.accept((ObjectNode) root.get("States"));
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first choice rule of a Choice state goes to {@code next}. */
    /**
     * Points the one branch of {@code choice} that went to {@code from} at {@code to}. Found by its
     * target, not its position (a planned move's branch was added before Claimed?'s claim branch);
     * refused when no branch or several go there, so a reshaped workflow fails the check loudly
     * instead of leaving the mutant a copy of the real system.
     */
    private static void choiceTo(ObjectNode states, String choice, String from, String to) {
        List<ObjectNode> branches = new ArrayList<>();
        states.get(choice).get("Choices").forEach(c -> {
            if (from.equals(c.path("Next").asText())) {
                branches.add((ObjectNode) c);
            }
        });
        if (branches.size() != 1) {
            throw new IllegalStateException(choice + " has " + branches.size() + " branches to " + from + ", not one");
        }
        branches.get(0).put("Next", to);
    }

    /** The catcher of {@code state} that goes to {@code from} goes to {@code to} instead. */
    private static void catchTo(ObjectNode states, String state, String from, String to) {
        for (JsonNode catcher : states.get(state).get("Catch")) {
            if (catcher.get("Next").asText().equals(from)) {
                ((ObjectNode) catcher).put("Next", to);
            }
        }
    }

    // ---------------------------------------------------------------- the EC2 client

    /**
     * The EC2 client the steps use, except that during the Detach step every instance looks stopped
     * (so its planner's fence check always passes), and, when {@code force}, every detach is forced.
     */
    private static Ec2Client fencedInDetach(Ec2Client real, boolean force) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object[] a = args;
            if (force && a != null && a.length == 1 && a[0] instanceof DetachVolumeRequest r) {
                a = new Object[] {r.toBuilder().force(true).build()};
            }
            if (force && a != null && a.length == 1 && a[0] instanceof DetachNetworkInterfaceRequest r) {
                a = new Object[] {r.toBuilder().force(true).build()};
            }
            Object result;
            if (real.getClass().getMethod(method.getName(), method.getParameterTypes()).getDeclaringClass()
                    == Ec2Client.class) {
                // An interface default (a paginator, a Consumer overload) calls back through the proxy.
                result = InvocationHandler.invokeDefault(proxy, method, a);
            } else {
                try {
                    result = method.invoke(real, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
            if (result instanceof DescribeInstancesResponse d && "Detach".equals(STEP.get())) {
                return d.toBuilder().reservations(d.reservations().stream().map(Mutant::allStopped).toList()).build();
            }
            return result;
        };
        return (Ec2Client) Proxy.newProxyInstance(Ec2Client.class.getClassLoader(), new Class<?>[] {Ec2Client.class},
                handler);
    }

    private static Reservation allStopped(Reservation r) {
        List<Instance> stopped = r.instances().stream()
                .map(i -> i.toBuilder().state(s -> s.name(InstanceStateName.STOPPED).code(80)).build()).toList();
        return r.toBuilder().instances(stopped).build();
    }

    // ---------------------------------------------------------------- the role store

    /** The owner and epoch a step carries. */
    private record Belief(String owner, long epoch) {
    }

    private static Belief belief(String input) {
        try {
            JsonNode state = JSON.readTree(input);
            JsonNode claim = state.path("claim");
            if (!claim.path("epoch").canConvertToLong()) {
                return null;
            }
            return new Belief(state.path("input").path("instanceId").asText(), claim.path("epoch").asLong());
        } catch (IOException e) {
            return null;
        }
    }

    /** A role store without epoch conditions: reads agree with the step, writes land whatever the epoch. */
    private static final class EpochBlindStore implements RoleStore {
        private final RoleStore real;

        EpochBlindStore(RoleStore real) {
            this.real = real;
        }

        private Role asBelieved(Role r) {
            Belief b = BELIEF.get();
            if (b == null || r.state() == RoleState.VACANT) {
                return r;
            }
            return new Role(r.key(), r.availabilityZone(), Optional.of(b.owner()), r.previousOwner(), b.epoch(), r.state(),
                    r.needsFormat(), r.createdAt(), r.updatedAt(), r.claimedAt(), r.lastExecution(), r.reason());
        }

        private Role current(RoleKey key) {
            return real.load(key).orElseThrow();
        }

        @Override
        public Optional<Role> load(RoleKey key) {
            return real.load(key).map(this::asBelieved);
        }

        @Override
        public List<Role> list(FileSystemName fileSystem) {
            return real.list(fileSystem);
        }

        @Override
        public List<Role> list(FileSystemName fileSystem, RoleType type) {
            return real.list(fileSystem, type);
        }

        @Override
        public boolean createIfAbsent(Role role) {
            return real.createIfAbsent(role);
        }

        @Override
        public void deleteVacant(RoleKey key) {
            real.deleteVacant(key);
        }

        @Override
        public Role claim(Role seen, String newOwner, String execution) {
            return real.claim(current(seen.key()), newOwner, execution);
        }

        @Override
        public Role transition(RoleKey key, String owner, long epoch, RoleState to) {
            Role now = current(key);
            return real.transition(key, now.owner().orElse(owner), now.epoch(), to);
        }

        @Override
        public Role release(RoleKey key, String owner, long epoch, String reason) {
            Role now = current(key);
            return real.release(key, now.owner().orElse(owner), now.epoch(), reason);
        }

        @Override
        public Role markOrphaned(RoleKey key, String owner, long epoch) {
            Role now = current(key);
            return real.markOrphaned(key, now.owner().orElse(owner), now.epoch());
        }

        @Override
        public Role markFormatted(RoleKey key, String owner, long epoch) {
            Role now = current(key);
            return real.markFormatted(key, now.owner().orElse(owner), now.epoch());
        }

        @Override
        public void registerResources(RoleResources resources) {
            real.registerResources(resources);
        }

        @Override
        public Optional<RoleResources> resources(RoleKey key) {
            return real.resources(key);
        }

        @Override
        public List<RoleResources> resources(FileSystemName fileSystem) {
            return real.resources(fileSystem);
        }
    }
}
