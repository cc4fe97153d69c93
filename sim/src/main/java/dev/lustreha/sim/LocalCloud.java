package dev.lustreha.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lustreha.config.Config;
import dev.lustreha.config.HealthSettings;
import dev.lustreha.health.HealthAlarms;
import dev.lustreha.config.Json;
import dev.lustreha.domain.InstanceState;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Volume;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.history.DynamoHandoverHistory;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.local.Repository;
import dev.lustreha.local.SimCloud;
import dev.lustreha.local.autoscaling.SimAutoScaling;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.local.cloud.Pacer;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import dev.lustreha.local.ec2.SimEc2;
import dev.lustreha.local.lambda.LocalLambda;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import dev.lustreha.local.sfn.AslEngine;
import dev.lustreha.local.sfn.ExecutionEngine;
import dev.lustreha.local.sfn.VirtualStepFunctions;
import dev.lustreha.local.sfn.DefinitionSubstitutions;
import dev.lustreha.local.sfn.ExecutionOptions;
import dev.lustreha.local.sfn.StateMachineDefinition;
import dev.lustreha.pools.PoolProvisioner;
import dev.lustreha.pools.PoolSpec;
import dev.lustreha.reconcile.ReconcilePlanner;
import dev.lustreha.reconcile.Reconciler;
import dev.lustreha.roles.DynamoRoleStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.AttachHandler;
import dev.lustreha.steps.ClaimHandler;
import dev.lustreha.steps.CompensateHandler;
import dev.lustreha.steps.CompleteHandler;
import dev.lustreha.steps.DetachHandler;
import dev.lustreha.steps.FenceHandler;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.steps.HandoverSteps;
import dev.lustreha.steps.RecordHandler;
import dev.lustreha.steps.ReleaseHandler;
import dev.lustreha.trigger.Failover;
import dev.lustreha.trigger.HealthTrigger;
import dev.lustreha.trigger.LifecycleTrigger;
import dev.lustreha.trigger.StateChangeTrigger;
import dev.lustreha.trigger.TriggerResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * lustre-ha running on the local cloud: the simulated EC2 and Auto Scaling, DynamoDB Local with the
 * template's tables, the production handlers behind the local Lambda endpoint, and the real state
 * machine definitions on the ASL engine. EventBridge events from the simulated cloud reach the
 * production triggers; instances run a guest agent in place of the bootstrap. One entry point for
 * the tests, the simulator and the demo.
 *
 * <p>Virtual time runs {@code speed} times faster than wall time while the workflows run.
 */
public final class LocalCloud implements AutoCloseable {

    public static final String LAUNCH_HOOK = "lustre-ha-launch";
    public static final String TERMINATE_HOOK = "lustre-ha-terminate";
    /** Names of the state machines' polling Wait states, whose waits the local run shortens. */
    private static final List<String> WAIT_STATES = List.of("WaitForFence", "WaitForDetach", "WaitForAttach",
            "WaitForRelease");
    /** How often {@link #awaitState} looks at the tables while the simulated cloud's history stands still. */
    private static final Duration RECHECK = Duration.ofSeconds(5);
    /** Lambda's retries of a failed asynchronous invocation: two, after one and then two minutes. */
    private static final List<Duration> ASYNC_RETRY_DELAYS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2));

    /**
     * How a run behaves.
     *
     * @param speed virtual seconds per wall second
     * @param poll the poll intervals and bounds the triggers put in each execution's input (virtual seconds)
     * @param launchBeforeTerminate the groups' instance maintenance policy (see SimAutoScaling.GroupSpec)
     * @param reconcileEvery the reconciler's period in virtual time, or null for no reconciler (the
     *     state-change trigger then fails over by asking the group to replace the owner, as
     *     without one); off by default, as some scenarios set up states it would correct
     */
    public record Options(long seed, Latency latency, double speed, HandoverState.Poll poll,
            boolean launchBeforeTerminate, Duration reconcileEvery, Engine engine) {

        public Options(long seed, Latency latency, double speed, HandoverState.Poll poll, boolean launchBeforeTerminate) {
            this(seed, latency, speed, poll, launchBeforeTerminate, null, Engine.ASL_ENGINE);
        }

        public static Options fast(long seed) {
            return new Options(seed, Latency.aws(), 100, HandoverState.Poll.defaults(), true);
        }

        /**
         * A deterministic run: the in-JVM engine, everything on the caller's thread in virtual time
         * ({@link #runUntil}, {@link #await}); the same seed and calls give the same run.
         */
        public static Options deterministic(long seed, Latency latency) {
            return new Options(seed, latency, 1, HandoverState.Poll.defaults(), true, null, Engine.VIRTUAL);
        }

        public Options withLatency(Latency l) {
            return new Options(seed, l, speed, poll, launchBeforeTerminate, reconcileEvery, engine);
        }

        public Options withPoll(HandoverState.Poll p) {
            return new Options(seed, latency, speed, p, launchBeforeTerminate, reconcileEvery, engine);
        }

        public Options withSpeed(double s) {
            return new Options(seed, latency, s, poll, launchBeforeTerminate, reconcileEvery, engine);
        }

        /** The reconciler runs every {@code period} of virtual time and is the state-change trigger's failover. */
        public Options withReconciler(Duration period) {
            return new Options(seed, latency, speed, poll, launchBeforeTerminate, period, engine);
        }

        public Options withEngine(Engine e) {
            return new Options(seed, latency, speed, poll, launchBeforeTerminate, reconcileEvery, e);
        }
    }

    /** Which engine runs the state machines. */
    public enum Engine {
        /**
         * aws-local-stepfunctions (npm) in a Node process, in wall time: virtual time follows the wall
         * clock {@code speed} times faster, and the workflows, triggers and guest agents run on threads.
         */
        ASL_ENGINE,
        /**
         * {@link VirtualStepFunctions}, in virtual time on one thread, with DynamoDB Local embedded:
         * deterministic, and as fast as the work itself.
         */
        VIRTUAL
    }

    private final FileSystemSpec spec;
    private final Options options;
    private final SimCloud sim;
    /** What shuts DynamoDB Local down: its server, or the embedded engine. */
    private final AutoCloseable dynamoLocal;
    private final DynamoDbClient dynamo;
    private final RoleStore store;
    private final HandoverHistory history;
    /** The Embedded Metric Format lines the handlers printed, in order (Lambda's standard output). */
    private final List<String> metricLines = Collections.synchronizedList(new ArrayList<>());
    private final LocalLambda lambda;
    private final ExecutionEngine engine;
    private final LocalExecutions executions;
    /** The handover state machine's ARN, for planned moves ({@link PlannedMoves}). */
    private final String handoverArn;
    private final LifecycleTrigger lifecycleTrigger;
    private final StateChangeTrigger stateChangeTrigger;
    private final List<TriggerResult> triggerResults = Collections.synchronizedList(new ArrayList<>());
    private final List<BiConsumer<String, String>> stepListeners = new CopyOnWriteArrayList<>();
    private final List<RoleResources> pool;
    private final GuestAgent guests;
    private final HealthAgent healthAgents;
    private final HealthTrigger healthTrigger;
    private final HealthAlarms alarms;
    /** Health detection as the template's defaults set it (3 of 3 periods; 3 moves in 30 minutes). */
    public static final HealthSettings HEALTH = HealthSettings.DEFAULTS;
    private final ScheduledReconciler reconciler;
    /** The thread pool of a wall-time run; null in a deterministic one. */
    private final ExecutorService threads;
    /** Where asynchronous work runs: the thread pool, or the clock (at once, as a step of its own). */
    private final Executor workers;
    /** Null in a deterministic run, whose caller moves the clock. */
    private final Pacer pacer;
    /** What sees every Task invocation of a deterministic run, outermost first. */
    private final List<VirtualStepFunctions.TaskInterceptor> interceptors = new CopyOnWriteArrayList<>();

    private LocalCloud(FileSystemSpec spec, Options options, Consumer<SimCloud> beforeLaunch, Mutation mutation) {
        this.spec = spec;
        this.options = options;
        boolean virtual = options.engine() == Engine.VIRTUAL;
        Path template = Repository.file("template.yaml");
        sim = SimCloud.create(options.seed(), options.latency());
        if (virtual) {
            threads = null;
            workers = task -> sim.clock().schedule(Duration.ZERO, "work", task);
        } else {
            threads = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "local-cloud-worker");
                t.setDaemon(true);
                return t;
            });
            workers = threads;
        }
        String subnet = sim.ec2().addSubnet(spec.az(), "10.0.1.");
        // No TTL: records carry virtual time, which DynamoDB Local's wall-clock sweeper would expire at once.
        if (virtual) {
            AmazonDynamoDBLocal embedded = DynamoDbLocal.embeddedWithTables(template);
            // shutdownNow: shutdown leaves its background jobs' threads running, one set per instance.
            dynamoLocal = embedded::shutdownNow;
            dynamo = embedded.dynamoDbClient();
        } else {
            DynamoDbLocal server = DynamoDbLocal.startWithTables(template, false);
            dynamoLocal = server;
            dynamo = server.newClient();
        }
        DynamoRoleStore tables = new DynamoRoleStore(dynamo, "RolesTable", "ResourcesTable", sim.clock().asClock());
        store = tables;
        alarms = new HealthAlarms(sim.cloudWatch());
        history = new DynamoHandoverHistory(dynamo, "HistoryTable");
        Ec2Gateway aws = new Ec2Gateway(mutation.ec2(sim.ec2()), sim.autoScaling());
        // The production pool provisioner makes each role's ENI and volumes, as the stack's custom resource
        // does. That happens when the stack is deployed, before anything the local cloud simulates: EC2's
        // request limits are lifted meanwhile, so a large pool starts with full buckets, as it would on AWS.
        PoolSpec.VolumeSpec small = new PoolSpec.VolumeSpec(64, "gp3", 3000, 125);
        PoolProvisioner provisioner = new PoolProvisioner(new Ec2Gateway(sim.ec2(), sim.autoScaling()), store,
                sim.clock().asClock(), alarms);
        sim.ec2().withoutRequestLimits(() -> provisioner.ensure(new PoolSpec(spec.name(), subnet,
                List.of("sg-0a1b2c3d4e5f60718"), spec.mds(), spec.oss(), spec.volumesPerOss(), small, small,
                new PoolSpec.VolumeSpec(512, "gp3", 3000, 125), false, HEALTH.alarm()), "local-cloud"));
        sim.clock().advance(Duration.ofSeconds(30)); // new volumes are "creating" for a few seconds
        pool = store.resources(spec.name());

        if (virtual) {
            interceptors.add(this::marked);
        }
        mutation.interceptor(store).ifPresent(interceptors::add);
        HandoverSteps steps = new HandoverSteps(mutation.store(store), tables, aws, sim.clock().asClock(), history,
                metricLines::add);
        lambda = LocalLambda.start(line -> { });
        Map<String, RequestStreamHandler> handlers = new LinkedHashMap<>();
        handlers.put("ClaimFunction", new ClaimHandler(steps));
        handlers.put("FenceFunction", new FenceHandler(steps));
        handlers.put("DetachFunction", new DetachHandler(steps));
        handlers.put("AttachFunction", new AttachHandler(steps));
        handlers.put("RecordFunction", new RecordHandler(steps));
        handlers.put("CompleteFunction", new CompleteHandler(steps));
        handlers.put("CompensateFunction", new CompensateHandler(steps));
        handlers.put("ReleaseFunction", new ReleaseHandler(steps));
        handlers.forEach((name, handler) -> lambda.register(name, observed(name, handler)));

        StateMachineDefinition handoverAsWritten = DefinitionSubstitutions.load(template, "HandoverStateMachine", Map.of());
        StateMachineDefinition handover = new StateMachineDefinition(handoverAsWritten.name(),
                mutation.handoverDefinition(handoverAsWritten.json()));
        StateMachineDefinition release = DefinitionSubstitutions.load(template, "ReleaseStateMachine", Map.of());
        ExecutionOptions execution;
        if (virtual) {
            VirtualStepFunctions vsf = new VirtualStepFunctions(sim.clock(), this::invoke,
                    new Random(options.seed() * 31 + 17), options.latency().taskInvoke());
            vsf.intercept(this::intercepted);
            engine = vsf;
            execution = ExecutionOptions.REAL_TIME;
        } else {
            engine = AslEngine.start(lambda.endpoint());
            execution = ExecutionOptions.scaled(1 / options.speed());
            for (String state : WAIT_STATES) {
                execution = execution.withWait(state, waitFor(state));
            }
        }
        executions = new LocalExecutions(engine, List.of(handover, release), execution, sim.clock()::now);
        handoverArn = handover.arn();

        Map<RoleType, String> groups = new EnumMap<>(RoleType.class);
        for (RoleType t : RoleType.values()) {
            groups.put(t, spec.groupOf(t));
        }
        Config config = new Config(spec.name(), "RolesTable", "ResourcesTable", handover.arn(), release.arn(), groups,
                LAUNCH_HOOK, TERMINATE_HOOK);
        lifecycleTrigger = new LifecycleTrigger(config, executions, options.poll());
        Failover failover;
        if (options.reconcileEvery() == null) {
            reconciler = null;
            failover = (owner, roles) -> aws.markUnhealthy(owner) ? "group asked to replace it" : "no group manages it";
        } else {
            Reconciler r = new Reconciler(config, store, aws, executions, executions, sim.clock().asClock(),
                    options.poll(), ReconcilePlanner.Bounds.defaults(), alarms, HEALTH);
            reconciler = new ScheduledReconciler(sim.clock(), r, options.reconcileEvery(), workers,
                    spec.name().value(), metricLines::add);
            failover = r;
        }
        stateChangeTrigger = new StateChangeTrigger(config, store, failover);
        healthTrigger = new HealthTrigger(config, store, tables, alarms, failover, HEALTH.policy(), HEALTH.alarm(),
                sim.clock().asClock(), metricLines::add);
        // EventBridge invokes the triggers asynchronously: the bus hands events to workers.
        sim.bus().subscribe(event -> workers.execute(() -> deliver(event, 0)));

        Map<RoleId, RoleResources> byRole = pool.stream()
                .collect(Collectors.toMap(r -> r.role().id(), Function.identity()));
        guests = new GuestAgent(sim, store, tables, tables, byRole, workers);
        guests.start();
        healthAgents = new HealthAgent(sim, spec.name().value(), byRole);
        healthAgents.start();
        if (reconciler != null) {
            reconciler.start();
        }
        beforeLaunch.accept(sim);
        for (RoleType t : RoleType.values()) {
            sim.autoScaling().createGroup(new SimAutoScaling.GroupSpec(spec.groupOf(t), subnet, spec.az(),
                    t == RoleType.OSS ? "c6in.4xlarge" : "m7i.large", "ami-0123456789abcdef0", spec.capacityOf(t),
                    Map.of("lustre-ha:file-system", spec.name().value()),
                    List.of(new SimAutoScaling.HookSpec(LAUNCH_HOOK, SimAutoScaling.LAUNCHING, 600, "CONTINUE", null),
                            new SimAutoScaling.HookSpec(TERMINATE_HOOK, SimAutoScaling.TERMINATING, 300, "CONTINUE", null)),
                    0, options.launchBeforeTerminate()));
        }
        pacer = virtual ? null : new Pacer(sim.clock(), options.speed());
    }

    /** Starts the local cloud with the file system; its groups begin launching at once. */
    public static LocalCloud start(FileSystemSpec spec, Options options) {
        return start(spec, options, sim -> { });
    }

    /** Starts the local cloud, running {@code beforeLaunch} (e.g. to inject faults) before the groups launch. */
    public static LocalCloud start(FileSystemSpec spec, Options options, Consumer<SimCloud> beforeLaunch) {
        return new LocalCloud(spec, options, beforeLaunch, Mutation.NONE);
    }

    /**
     * Starts a deliberately broken lustre-ha: the mutation checks' way to show that the simulation
     * finds what a broken variant does wrong.
     */
    public static LocalCloud start(FileSystemSpec spec, Options options, Mutation mutation) {
        return new LocalCloud(spec, options, sim -> { }, mutation);
    }

    /** A Task of the in-JVM engine calls its function in this thread, through the local Lambda endpoint's dispatch. */
    private VirtualStepFunctions.TaskResult invoke(String resource, String input) {
        LocalLambda.Response r = lambda.invoke(resource, input.getBytes(StandardCharsets.UTF_8));
        String payload = new String(r.payload(), StandardCharsets.UTF_8);
        // Step Functions names a function error by its errorType; the Cause is the error document.
        return r.error().map(e -> VirtualStepFunctions.TaskResult.failed(e.errorType(), payload))
                .orElseGet(() -> VirtualStepFunctions.TaskResult.output(payload));
    }

    private VirtualStepFunctions.TaskResult intercepted(VirtualStepFunctions.TaskCall call, VirtualStepFunctions.Invoker last) {
        return through(0, call, last);
    }

    private VirtualStepFunctions.TaskResult through(int i, VirtualStepFunctions.TaskCall call,
            VirtualStepFunctions.Invoker last) {
        if (i == interceptors.size()) {
            return last.invoke(call.resource(), call.input());
        }
        return interceptors.get(i).invoke(call, (resource, input) -> through(i + 1, call.withInput(input), last));
    }

    /**
     * Records the start and end of every handover step that runs under a claim, with the epoch it
     * carries and the role's epoch in the table as it starts, and whether the role's item changed: so
     * the invariant checker can tell a stale step (I3) by what it did in between. A deterministic run
     * runs each function alone, so whatever the cloud records between the two marks is that step's.
     */
    private VirtualStepFunctions.TaskResult marked(VirtualStepFunctions.TaskCall call, VirtualStepFunctions.Invoker next) {
        JsonNode claim;
        try {
            claim = Json.MAPPER.readTree(call.input()).path("claim");
        } catch (JsonProcessingException e) {
            return next.invoke(call.resource(), call.input());
        }
        if (!call.machine().equals("HandoverStateMachine") || !claim.path("epoch").canConvertToLong()
                || claim.path("roleId").asText("").isEmpty()) {
            return next.invoke(call.resource(), call.input());
        }
        RoleKey key = resources(claim.path("roleId").asText()).role();
        Optional<Role> before = store.load(key);
        sim.history().record("Sfn.TaskStarted", "execution", call.execution(), "state", call.state(),
                "role", key.id().value(), "epoch", claim.path("epoch").asText(),
                "roleEpoch", before.map(r -> Long.toString(r.epoch())).orElse(null));
        VirtualStepFunctions.TaskResult result = next.invoke(call.resource(), call.input());
        Optional<Role> after = store.load(key);
        sim.history().record("Sfn.TaskEnded", "execution", call.execution(), "state", call.state(),
                "role", key.id().value(), "roleChanged", Boolean.toString(!before.equals(after)));
        return result;
    }

    /**
     * Adds {@code interceptor} around every Task invocation of a deterministic run (inside those
     * added before): how a simulation injects faults at a given step of a running handover.
     */
    public void intercept(VirtualStepFunctions.TaskInterceptor interceptor) {
        if (options.engine() != Engine.VIRTUAL) {
            throw new IllegalStateException("Task interceptors need the in-JVM engine (Options.deterministic)");
        }
        interceptors.add(interceptor);
    }

    private Duration waitFor(String state) {
        HandoverState.Poll p = options.poll();
        int seconds = switch (state) {
            case "WaitForFence" -> p.fenceSeconds();
            case "WaitForDetach" -> p.detachSeconds();
            case "WaitForRelease" -> HandoverState.Move.DEFAULT_POLL_SECONDS;
            default -> p.attachSeconds();
        };
        return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000 / options.speed())));
    }

    /**
     * Delivers an event from the bus. EventBridge invokes the triggers asynchronously, and Lambda
     * retries a function error of an asynchronous invocation twice, one and then two minutes later
     * (its defaults), then drops the event: a trigger that throws (say, throttled by Auto Scaling) is
     * retried so, and each failure is recorded in the history.
     */
    private void deliver(JsonNode event, int attempt) {
        try {
            trigger(event);
        } catch (RuntimeException e) {
            boolean retry = attempt < ASYNC_RETRY_DELAYS.size();
            sim.history().record("Lambda.TriggerFailed", "detailType", event.path("detail-type").asText(),
                    "error", e.toString(), "retried", Boolean.toString(retry));
            if (retry) {
                sim.clock().schedule(ASYNC_RETRY_DELAYS.get(attempt), "retry trigger",
                        () -> workers.execute(() -> deliver(event, attempt + 1)));
            }
        }
    }

    /**
     * Hands one EventBridge event to the trigger its rule targets (EC2 state changes to the
     * state-change trigger, anything else to the lifecycle trigger), at once and on the caller's
     * thread, as {@code sam local invoke -e} would; records and returns what the trigger did.
     */
    public TriggerResult trigger(JsonNode event) {
        String source = event.path("source").asText();
        TriggerResult r = switch (source) {
            case "aws.ec2" -> stateChangeTrigger.handle(event);
            case "aws.cloudwatch" -> healthTrigger.handle(event);
            default -> lifecycleTrigger.handle(event);
        };
        triggerResults.add(r);
        return r;
    }

    /**
     * An operator's planned move of {@code roleId} to {@code to} (a standby): a handover execution that
     * first asks the owner to unmount ({@link PlannedMoves}); returns the execution's name.
     */
    public String startMove(String roleId, String to, int releaseTimeoutSeconds) {
        return PlannedMoves.start(executions, handoverArn, spec, role(roleId), to, options.poll(), releaseTimeoutSeconds,
                sim.clock().now());
    }

    /** Simulation control: {@code instance}'s unmount hangs: asked to release its role, it never confirms. */
    public void unmountHangs(String instance) {
        guests.unmountHangs(instance);
    }

    /** Simulation control: a fault only the server's health agent sees strikes {@code instance} until {@code until}. */
    public void healthFault(String instance, HealthFault fault, Instant until) {
        healthAgents.inject(instance, fault, until);
    }

    /** The alarms of the roles' health, as the pool provisioner made them. */
    public HealthAlarms alarms() {
        return alarms;
    }

    /**
     * Calls {@code listener} with the function name and output JSON of every workflow step that
     * returns (a {@link HandoverState}), as it returns: how progress displays follow a handover.
     * A listener must be quick and thread safe; what it throws is ignored.
     */
    public void onStepOutput(BiConsumer<String, String> listener) {
        stepListeners.add(listener);
    }

    /** The handler, with its output also shown to the step listeners. */
    private RequestStreamHandler observed(String function, RequestStreamHandler handler) {
        return (input, output, context) -> {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            handler.handleRequest(input, copy, context);
            copy.writeTo(output);
            String json = copy.toString(StandardCharsets.UTF_8);
            for (BiConsumer<String, String> listener : stepListeners) {
                try {
                    listener.accept(function, json);
                } catch (RuntimeException ignored) {
                    // A display's failure must not fail the step.
                }
            }
        };
    }

    // ---------------------------------------------------------------- views

    public SimCloud sim() {
        return sim;
    }

    public RoleStore store() {
        return store;
    }

    /** The History table's records of every handover. */
    public HandoverHistory history() {
        return history;
    }

    public List<String> metricLines() {
        synchronized (metricLines) {
            return List.copyOf(metricLines);
        }
    }

    /** The client of DynamoDB Local, whose tables are named by the template's logical ids (RolesTable...). */
    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public FileSystemSpec spec() {
        return spec;
    }

    public List<RoleResources> pool() {
        return pool;
    }

    public LocalExecutions executions() {
        return executions;
    }

    public LocalLambda lambda() {
        return lambda;
    }

    /** The scheduled reconciler's runs so far (none without {@link Options#withReconciler}). */
    public List<Reconciler.Summary> reconcileRuns() {
        return reconciler == null ? List.of() : reconciler.runs();
    }

    /** Scheduled reconciler runs that failed to gather their facts. */
    public List<RuntimeException> reconcileFailures() {
        return reconciler == null ? List.of() : reconciler.failures();
    }

    public List<TriggerResult> triggerResults() {
        synchronized (triggerResults) {
            return List.copyOf(triggerResults);
        }
    }

    public RoleResources resources(String roleId) {
        RoleId id = RoleId.parse(roleId);
        return pool.stream().filter(r -> r.role().id().equals(id)).findFirst().orElseThrow();
    }

    public Role role(String roleId) {
        return store.load(resources(roleId).role()).orElseThrow();
    }

    public List<Role> roles() {
        return store.list(spec.name());
    }

    /**
     * True when every role is SERVING on a running instance that really holds its ENI (device index
     * 1) and every volume, all attached, and has mounted its targets.
     */
    public boolean allServing() {
        return allServing(roles());
    }

    /**
     * The EC2 half of {@link #allServing()}, which reads no table: each role's ENI (device index 1)
     * and volumes attached to one running instance that has mounted them. Cheap, so checked first.
     */
    public boolean resourcesInPlace() {
        for (RoleResources r : pool) {
            Optional<SimEc2.AttachmentView> eni = sim.ec2().eniAttachment(r.network().eniId());
            if (eni.isEmpty() || !holds(eni.get().instanceId(), r)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #allServing()} judged with {@code roles}, the role table as read a moment ago. */
    public boolean allServing(List<Role> roles) {
        Map<RoleId, Role> byId = roles.stream().collect(Collectors.toMap(Role::id, Function.identity()));
        for (RoleResources r : pool) {
            Role role = byId.get(r.role().id());
            if (role == null || role.state() != RoleState.SERVING || !holds(role.owner().orElseThrow(), r)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code instance} runs and holds the role's ENI (device index 1) and every volume, all
     * attached at their devices, and has mounted the volumes.
     */
    private boolean holds(String instance, RoleResources r) {
        return holdsAttached(instance, r)
                && sim.ec2().mountedOn(instance).containsAll(r.volumes().stream().map(Volume::volumeId).toList());
    }

    /**
     * Whether {@code instance} runs and has the role's ENI (device index 1) and every volume attached
     * at its device: what a handover achieves, before the guest OS mounts anything.
     */
    public boolean holdsAttached(String instance, RoleResources r) {
        if (sim.ec2().stateOf(instance).filter(s -> s.toString().equals(InstanceState.RUNNING.wire())).isEmpty()) {
            return false;
        }
        Optional<SimEc2.AttachmentView> eni = sim.ec2().eniAttachment(r.network().eniId());
        if (eni.isEmpty() || !eni.get().instanceId().equals(instance) || !"attached".equals(eni.get().state())
                || !"1".equals(eni.get().device())) {
            return false;
        }
        for (Volume v : r.volumes()) {
            Optional<SimEc2.AttachmentView> a = sim.ec2().volumeAttachment(v.volumeId());
            if (a.isEmpty() || !a.get().instanceId().equals(instance) || !"attached".equals(a.get().state())
                    || !a.get().device().equals(v.device())) {
                return false;
            }
        }
        return true;
    }


    /**
     * Waits (in wall time) until {@code condition} holds, at most {@code virtual} of virtual time.
     *
     * @return whether it held in time
     */
    public boolean await(BooleanSupplier condition, Duration virtual) {
        Instant deadline = sim.clock().now().plus(virtual);
        if (pacer == null) {
            // A deterministic run: this thread moves the clock, one step at a time.
            while (!condition.getAsBoolean()) {
                if (!sim.clock().step(deadline)) {
                    sim.clock().advance(Duration.between(sim.clock().now(), deadline));
                    return condition.getAsBoolean();
                }
            }
            return true;
        }
        while (!condition.getAsBoolean()) {
            if (sim.clock().now().isAfter(deadline)) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Like {@link #await}, for a condition on the cloud's state that is costly to evaluate (it reads the
     * tables): in a deterministic run it is evaluated only after a step that changed the simulated
     * cloud (its history grew), and at least every {@code RECHECK} of virtual time, instead of after
     * every step. The guest agents' scans and the reconciler's runs make many steps that change nothing.
     */
    public boolean awaitState(BooleanSupplier condition, Duration virtual) {
        if (pacer != null) {
            return await(condition, virtual);
        }
        Instant deadline = sim.clock().now().plus(virtual);
        int seen = -1;
        Instant checked = Instant.MIN;
        while (true) {
            int size = sim.history().size();
            Instant now = sim.clock().now();
            if (size != seen || !now.isBefore(checked.plus(RECHECK))) {
                if (condition.getAsBoolean()) {
                    return true;
                }
                seen = size;
                checked = now;
            }
            if (!sim.clock().step(deadline)) {
                sim.clock().advance(Duration.between(sim.clock().now(), deadline));
                return condition.getAsBoolean();
            }
        }
    }

    /** Lets virtual time reach {@code t}: in a deterministic run by running every step until then. */
    public void runUntil(Instant t) {
        await(() -> !sim.clock().now().isBefore(t), Duration.between(sim.clock().now(), t).isNegative()
                ? Duration.ZERO : Duration.between(sim.clock().now(), t));
    }

    /** True when the state machines run on the in-JVM engine, in virtual time, on the caller's thread. */
    public boolean deterministic() {
        return pacer == null;
    }

    /** The lifecycle actions the simulated Auto Scaling started and that are not yet completed, cancelled or timed out. */
    public Set<String> openLifecycleActions() {
        Set<String> open = new HashSet<>();
        for (History.Entry e : sim.history().entries()) {
            switch (e.action()) {
                case "AutoScaling.LifecycleActionStarted" -> open.add(e.get("token"));
                case "AutoScaling.CompleteLifecycleAction", "AutoScaling.LifecycleActionCancelled",
                        "AutoScaling.LifecycleActionTimeout" -> open.remove(e.get("token"));
                default -> {
                }
            }
        }
        return open;
    }

    /** Waits until every role is serving and no workflow runs. */
    public boolean awaitSettled(Duration virtual) {
        return awaitState(() -> allServing() && executions.idle(), virtual);
    }

    @Override
    public void close() {
        if (pacer != null) {
            pacer.close();
        }
        guests.stop();
        healthAgents.stop();
        if (reconciler != null) {
            reconciler.stop();
        }
        if (threads != null) {
            threads.shutdownNow();
        }
        if (engine instanceof AslEngine node) {
            node.close();
        }
        lambda.close();
        dynamo.close();
        try {
            dynamoLocal.close();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop", e);
        }
    }
}
