package dev.lustreha.steps;

import dev.lustreha.domain.AttachPlanner;
import dev.lustreha.domain.ClaimPlanner;
import dev.lustreha.domain.DetachPlanner;
import dev.lustreha.domain.EniView;
import dev.lustreha.domain.FencePlanner;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.InstanceState;
import dev.lustreha.domain.InstanceView;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.domain.VolumeView;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.history.HandoverRecord;
import dev.lustreha.observe.Emf;
import dev.lustreha.errors.AwsUnavailableException;
import dev.lustreha.errors.BadInputException;
import dev.lustreha.errors.ClaimConflictException;
import dev.lustreha.errors.DeviceConflictException;
import dev.lustreha.errors.HandoverTimeoutException;
import dev.lustreha.errors.InstanceGoneException;
import dev.lustreha.errors.LustreHaException;
import dev.lustreha.errors.ResourceHeldException;
import dev.lustreha.errors.RoleNotFoundException;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.roles.ReleaseStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.steps.HandoverState.Claim;
import dev.lustreha.steps.HandoverState.ClaimOutcome;
import dev.lustreha.steps.HandoverState.Input;
import dev.lustreha.steps.HandoverState.Poll;
import dev.lustreha.steps.HandoverState.Timings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The steps of the handover and release workflows (docs/design.md §3). Each takes the execution state
 * and returns it with its part filled in. Every step reads the actual state first and does only
 * what is missing, so Step Functions retries, duplicate events and restarts are safe; every step
 * after the claim starts by checking that the role is still this instance's at this epoch, and
 * stops with {@link StaleEpochException}, touching nothing, when it is not.
 */
public final class HandoverSteps {

    private static final Set<RoleState> HELD = EnumSet.of(RoleState.CLAIMED, RoleState.SERVING);
    /**
     * The longest wait between polls after throttling: the time EC2's mutating buckets (50 tokens, 5 a
     * second) take to refill from empty. Waiting longer would let a full bucket overflow, wasting
     * tokens, while handovers still wait for them; waiting less adds reads for nothing.
     */
    static final int MAX_BACKOFF_SECONDS = 10;

    private final RoleStore store;
    private final Ec2Gateway aws;
    private final Clock clock;
    private final HandoverHistory history;
    private final Consumer<String> metrics;
    private final PlannedRelease release;

    /**
     * Steps without planned moves: a move's input fails with {@link BadInputException}.
     *
     * @param history where each handover's record goes when it ends
     * @param metrics where Embedded Metric Format lines go (standard output in Lambda)
     */
    public HandoverSteps(RoleStore store, Ec2Gateway aws, Clock clock, HandoverHistory history,
            Consumer<String> metrics) {
        this(store, null, aws, clock, history, metrics);
    }

    /** @param releases where a planned move asks the owner to let go (null: no planned moves) */
    public HandoverSteps(RoleStore store, ReleaseStore releases, Ec2Gateway aws, Clock clock, HandoverHistory history,
            Consumer<String> metrics) {
        this.store = store;
        this.aws = aws;
        this.clock = clock;
        this.history = history;
        this.metrics = metrics;
        this.release = releases == null ? null : new PlannedRelease(store, releases, clock);
    }

    // ---------------------------------------------------------------- claim

    /** Claims a role in DynamoDB, before any EC2 call that changes anything; or makes the instance a standby. */
    public HandoverState claim(HandoverState planned) {
        Input in = input(planned);
        HandoverState s = planned;
        if (PlannedRelease.pending(s)) {
            if (release == null) {
                throw new BadInputException("this deployment's steps do not make planned moves");
            }
            s = release.poll(s);
            if (PlannedRelease.pending(s)) {
                return s; // the owner has not let go yet: WaitForRelease, then this step again
            }
        }
        Instant now = clock.instant();
        Timings timings = s.timingsOrStart(now);
        FileSystemName fs = new FileSystemName(in.fileSystem());
        RoleType type = roleType(in);
        Map<String, RoleResources> resources = store.resources(fs).stream()
                .collect(Collectors.toMap(r -> r.role().id().value(), Function.identity()));
        // A role without registered resources cannot be handed over; the pool provisioner registers them.
        List<Role> roles = store.list(fs, type).stream().filter(r -> resources.containsKey(r.id().value())).toList();
        Set<String> owners = roles.stream().map(Role::owner).flatMap(Optional::stream)
                .filter(o -> !o.equals(in.instanceId())).collect(Collectors.toCollection(TreeSet::new));
        // One DescribeInstances for this instance and every owner of a role of its type.
        Set<String> described = new TreeSet<>(owners);
        described.add(in.instanceId());
        Map<String, InstanceView> ownerViews = new HashMap<>(aws.instances(described));
        Optional<InstanceView> me = Optional.ofNullable(ownerViews.remove(in.instanceId()));
        if (me.isEmpty() || me.get().state() == InstanceState.SHUTTING_DOWN
                || me.get().state() == InstanceState.TERMINATED) {
            return s.withClaim(new Claim(ClaimOutcome.GONE, null, null, null, null, null, null, null, null, null, null))
                    .withTimings(timings).withOutcome("GONE");
        }
        Set<String> running = ownerViews.values().stream()
                .filter(v -> v.state() == InstanceState.RUNNING || v.state() == InstanceState.PENDING)
                .map(InstanceView::instanceId).collect(Collectors.toSet());
        Set<String> live = running.isEmpty() ? Set.of() : aws.liveInGroups(running);

        ClaimPlanner.Plan plan = ClaimPlanner.plan(new ClaimPlanner.Facts(me.get(), roles, ownerViews, live));
        Role won = switch (plan) {
            case ClaimPlanner.Resume r -> r.role();
            case ClaimPlanner.Candidates c -> firstClaimable(movedFirst(c.roles(), in), in);
        };
        if (won == null) {
            aws.tag(List.of(in.instanceId()), Map.of(Tags.STANDBY, fs.value(), Tags.FILE_SYSTEM, fs.value()));
            return s.withClaim(new Claim(ClaimOutcome.STANDBY, null, null, null, null, me.get().availabilityZone(),
                            null, null, null, null, null))
                    .withTimings(timings);
        }
        RoleResources res = resources.get(won.id().value());
        Claim claim = new Claim(ClaimOutcome.CLAIMED, won.id().value(), won.epoch(), won.previousOwner().orElse(null),
                won.needsFormat(), won.availabilityZone(), res.network().eniId(), res.network().privateIp(),
                res.volumes(), plan instanceof ClaimPlanner.Resume || !won.lastExecution().equals(Optional.ofNullable(
                        in.executionName())), me.get().tags().containsKey(Tags.STANDBY),
                won.previousOwner().isPresent() && won.health().unmountedAt(won.epoch() - 1));
        return s.withClaim(claim).withTimings(new Timings(timings.startedAt(), now, null, null, null, null, null));
    }

    /** A planned move's role first, so that the instance it goes to takes that one and not another. */
    private static List<Role> movedFirst(List<Role> candidates, Input in) {
        if (in.move() == null) {
            return candidates;
        }
        List<Role> ordered = new ArrayList<>(candidates.stream().filter(r -> r.id().value().equals(in.move().roleId()))
                .toList());
        candidates.stream().filter(r -> !r.id().value().equals(in.move().roleId())).forEach(ordered::add);
        return ordered;
    }

    /**
     * Tries each candidate in order; a race lost to another instance moves on to the next. A race
     * lost to this same instance (two executions for one instance, say a lost event's handover
     * started by the reconciler and the event's own, late) resumes that claim: an instance never
     * takes a second role. Null when every candidate was lost.
     */
    private Role firstClaimable(List<Role> candidates, Input in) {
        for (Role candidate : candidates) {
            try {
                return store.claim(candidate, in.instanceId(), in.executionName());
            } catch (ClaimConflictException lost) {
                metrics.accept(Emf.document(clock.instant(), in.fileSystem(), Map.of("ClaimConflicts",
                        Emf.Metric.count(1)), Map.of("role", candidate.id().value(), "instance", in.instanceId())));
                if (lost.current().isOwnedBy(in.instanceId()) && HELD.contains(lost.current().state())) {
                    return lost.current();
                }
                // Another instance claimed it first: try the next candidate.
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- fence

    /**
     * Fences the previous owner and whatever instance holds the role's ENI or volumes: fenced only
     * when EC2 says stopped or terminated. A holder that runs is sent one forced stop.
     */
    public HandoverState fence(HandoverState s) {
        Input in = input(s);
        Claim c = claimed(s);
        Instant now = clock.instant();
        requireCurrent(s);
        HandoverState.Fence prev = s.fence();
        Instant started = prev == null ? now : prev.startedAt();
        int polls = (prev == null ? 0 : prev.polls()) + 1;
        Set<String> stopsSent = new TreeSet<>(prev == null ? List.of() : prev.stopsSent());
        Set<String> holders = new TreeSet<>();
        if (c.previousOwner() != null && !c.previousOwner().equals(in.instanceId())) {
            holders.add(c.previousOwner());
        }
        Set<String> attachedElsewhere = new TreeSet<>();
        Optional<Map<String, InstanceView>> views = unlessThrottled(() -> {
            attachedElsewhere.addAll(holdersOf(eni(c), aws.volumes(volumeIds(c)), in.instanceId()));
            holders.addAll(attachedElsewhere);
            return aws.instances(holders);
        });
        // A previous owner that confirmed it unmounted (a planned move) is let go, not stopped.
        FencePlanner.Decision d = views.map(v -> FencePlanner.decide(holders, v, stopsSent, c.released()))
                .orElseGet(() -> new FencePlanner.Decision(List.of(), prev == null || prev.waitingOn().isEmpty()
                        ? List.copyOf(holders) : prev.waitingOn()));
        boolean throttled = views.isEmpty();
        int made = 0;
        for (String h : d.toStop()) {
            Optional<Boolean> sent = unlessThrottled(() -> aws.forceStop(h));
            if (sent.isEmpty()) {
                throttled = true;
                break; // the bucket is empty: the next poll sends the rest
            }
            made++;
            if (sent.get()) {
                stopsSent.add(h);
            }
        }
        boolean fenced = !throttled && d.fenced();
        if (!fenced && Duration.between(started, now).getSeconds() > poll(in).fenceTimeoutSeconds()) {
            throw new HandoverTimeoutException("fence of " + d.waitingOn() + " for " + c.roleId() + " not confirmed after "
                    + poll(in).fenceTimeoutSeconds() + " s (a forced stop was sent to " + stopsSent + ")");
        }
        int throttledPolls = throttledPolls(throttled, made > 0, prev == null ? 0 : prev.throttledPolls());
        boolean resourcesFree = views.isPresent() && attachedElsewhere.isEmpty();
        HandoverState next = s.withFence(new HandoverState.Fence(fenced,
                List.copyOf(views.isPresent() || prev == null ? holders : new TreeSet<>(prev.holders())),
                List.copyOf(stopsSent), d.waitingOn(), started, polls, throttledPolls,
                waitSeconds(poll(in).fenceSeconds(), throttledPolls, in, "fence", polls), resourcesFree));
        if (fenced) {
            Timings t = next.timingsOrStart(now);
            // Nothing attached elsewhere: the detach phase ends as the fence does (the Attach step re-checks).
            return next.withTimings(new Timings(t.startedAt(), t.claimedAt(), now, resourcesFree ? now : null, null,
                    null, null));
        }
        return heartbeatIfDue(next, now);
    }

    /** The instances other than {@code me} that hold the role's ENI or any of its volumes. */
    private static Set<String> holdersOf(EniView eni, List<VolumeView> volumes, String me) {
        Set<String> holders = new TreeSet<>();
        eni.attachment().map(EniView.Attachment::instanceId).ifPresent(holders::add);
        volumes.forEach(v -> v.attachment().map(VolumeView.Attachment::instanceId).ifPresent(holders::add));
        holders.remove(me);
        return holders;
    }

    // ---------------------------------------------------------------- detach

    /** What one poll of the detach or attach phase saw of the role's resources and their holders. */
    private record Seen(EniView eni, List<VolumeView> volumes, Map<String, InstanceView> instances) {
    }

    /** Detaches the role's ENI and volumes from every fenced holder; Force only for a stuck attachment. */
    public HandoverState detach(HandoverState s) {
        Input in = input(s);
        Claim c = claimed(s);
        Instant now = clock.instant();
        requireCurrent(s);
        HandoverState.Detach prev = s.detach();
        Instant started = prev == null ? now : prev.startedAt();
        int polls = (prev == null ? 0 : prev.polls()) + 1;
        Map<String, Instant> since = new LinkedHashMap<>(prev == null ? Map.of() : prev.detachingSince());
        List<String> forced = new ArrayList<>(prev == null ? List.of() : prev.forced());
        Optional<Seen> seen = unlessThrottled(() -> {
            EniView eni = eni(c);
            List<VolumeView> volumes = aws.volumes(volumeIds(c));
            return new Seen(eni, volumes, aws.instances(holdersOf(eni, volumes, in.instanceId())));
        });
        boolean done = false;
        boolean throttled = seen.isEmpty();
        int made = 0;
        if (seen.isPresent()) {
            EniView eni = seen.get().eni();
            List<VolumeView> volumes = seen.get().volumes();
            // A detach already under way (started by an earlier attempt or by someone else) is timed from first sight.
            eni.attachment().filter(a -> "detaching".equals(a.status())).ifPresent(a -> since.putIfAbsent(eni.eniId(), now));
            volumes.stream().filter(v -> v.attachment().filter(a -> "detaching".equals(a.state())).isPresent())
                    .forEach(v -> since.putIfAbsent(v.volumeId(), now));

            DetachPlanner.Decision d = DetachPlanner.decide(in.instanceId(), eni, volumes, seen.get().instances(), since,
                    now, Duration.ofSeconds(poll(in).detachStuckSeconds()), c.released());
            if (!d.unfenced().isEmpty()) {
                throw new ResourceHeldException("resources of " + c.roleId() + " are held by unfenced " + d.unfenced());
            }
            for (DetachPlanner.Detach x : d.detaches()) {
                boolean issued = unlessThrottled(() -> {
                    if (x.kind() == DetachPlanner.Kind.ENI) {
                        aws.detachEni(x.attachmentId(), x.force());
                    } else {
                        aws.detachVolume(x.resourceId(), x.holder(), x.force());
                    }
                    return true;
                }).isPresent();
                if (!issued) {
                    throttled = true;
                    break; // the bucket is empty: the next poll detaches the rest
                }
                made++;
                since.putIfAbsent(x.resourceId(), now);
                if (x.force()) {
                    forced.add(x.resourceId());
                }
            }
            done = d.done();
        }
        checkMoveBound(in, c, started, now, done, "detach");
        int throttledPolls = throttledPolls(throttled, made > 0, prev == null ? 0 : prev.throttledPolls());
        HandoverState next = s.withDetach(new HandoverState.Detach(done, since, forced, started, polls, throttledPolls,
                waitSeconds(poll(in).detachSeconds(), throttledPolls, in, "detach", polls)));
        if (done) {
            Timings t = next.timingsOrStart(now);
            return next.withTimings(new Timings(t.startedAt(), t.claimedAt(), t.fencedAt(), now, null, null, null));
        }
        return heartbeatIfDue(next, now);
    }

    // ---------------------------------------------------------------- attach

    /** Attaches the ENI at device index 1 and each volume at its device, once the new owner can take them. */
    public HandoverState attach(HandoverState s) {
        Input in = input(s);
        Claim c = claimed(s);
        Instant now = clock.instant();
        requireCurrent(s);
        HandoverState.Attach prev = s.attach();
        Instant started = prev == null ? now : prev.startedAt();
        int polls = (prev == null ? 0 : prev.polls()) + 1;
        Optional<Ec2Gateway.InstanceDevices> described = unlessThrottled(() -> aws.instanceDevices(in.instanceId())
                .filter(v -> v.instance().state() != InstanceState.SHUTTING_DOWN
                        && v.instance().state() != InstanceState.TERMINATED)
                .orElseThrow(() -> new InstanceGoneException(in.instanceId() + " is gone; it cannot take "
                        + c.roleId())));
        // Once the instance's own description shows everything attached, that one call is the whole poll.
        boolean attachedToMe = described.filter(v -> allAttached(v, c)).isPresent();
        Optional<Seen> seen = attachedToMe ? Optional.empty() : described.flatMap(me -> unlessThrottled(
                () -> new Seen(eni(c), aws.volumes(volumeIds(c)), Map.of(in.instanceId(), me.instance()))));
        boolean done = attachedToMe;
        boolean throttled = !attachedToMe && seen.isEmpty();
        int made = 0;
        if (seen.isPresent()) {
            InstanceView me = seen.get().instances().get(in.instanceId());
            AttachPlanner.Decision d = AttachPlanner.decide(me, resourcesOf(c, in), seen.get().eni(),
                    seen.get().volumes());
            if (!d.heldByOthers().isEmpty()) {
                throw new ResourceHeldException(d.heldByOthers() + " of " + c.roleId() + " still attached elsewhere");
            }
            List<Runnable> attaches = new ArrayList<>();
            if (d.attachEni()) {
                attaches.add(() -> expectStarted(aws.attachEni(c.eniId(), in.instanceId(),
                        AttachPlanner.ROLE_ENI_DEVICE_INDEX), c.eniId()));
            }
            for (Volume v : d.attachVolumes()) {
                attaches.add(() -> expectStarted(aws.attachVolume(v.volumeId(), in.instanceId(), v.device()),
                        v.volumeId()));
            }
            for (Runnable attach : attaches) {
                if (unlessThrottled(() -> {
                    attach.run();
                    return true;
                }).isEmpty()) {
                    throttled = true;
                    break; // the bucket is empty: the next poll attaches the rest
                }
                made++;
            }
            done = d.done();
        }
        checkMoveBound(in, c, started, now, done, "attach");
        int throttledPolls = throttledPolls(throttled, made > 0, prev == null ? 0 : prev.throttledPolls());
        HandoverState next = s.withAttach(new HandoverState.Attach(done, started, polls, throttledPolls,
                waitSeconds(poll(in).attachSeconds(), throttledPolls, in, "attach", polls)));
        if (done) {
            Timings t = next.timingsOrStart(now);
            return next.withTimings(new Timings(t.startedAt(), t.claimedAt(), t.fencedAt(), t.detachedAt(), now, null,
                    null));
        }
        return heartbeatIfDue(next, now);
    }

    /** True when the instance's description lists the role's ENI at device index 1 and every volume at its device, all attached. */
    private static boolean allAttached(Ec2Gateway.InstanceDevices me, Claim c) {
        boolean eni = me.enis().stream().anyMatch(e -> e.resourceId().equals(c.eniId())
                && e.device().equals(Integer.toString(AttachPlanner.ROLE_ENI_DEVICE_INDEX)) && "attached".equals(e.status()));
        return eni && c.volumes().stream().allMatch(v -> me.volumes().stream().anyMatch(a -> a.resourceId().equals(
                v.volumeId()) && a.device().equals(v.device()) && "attached".equals(a.status())));
    }

    private static void expectStarted(Ec2Gateway.AttachOutcome outcome, String resource) {
        if (outcome == Ec2Gateway.AttachOutcome.HELD) {
            throw new ResourceHeldException(resource + " was taken or is still detaching");
        }
        // NOT_READY: the instance is not running yet; the next poll attaches.
    }

    // ---------------------------------------------------------------- throttling

    /**
     * The result of {@code call}, or empty when EC2 or Auto Scaling throttled it. Throttling in a
     * polling phase is flow control, not a failure: the poll stops calling (the bucket is empty),
     * keeps what it did, and the next poll comes later and goes on; the phase's time bound still
     * applies. Any other failure propagates.
     */
    private static <T> Optional<T> unlessThrottled(Supplier<T> call) {
        try {
            return Optional.of(call.get());
        } catch (AwsUnavailableException e) {
            if (e.throttled()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Polls throttled in a row, as the backoff counts them. A poll that got some of its calls through
     * before EC2 throttled it counts as the first: it is being served, and comes back soon to finish,
     * while handovers that got nothing back off further. Tokens so go to handovers under way first,
     * which then end one after the other (and move on to their next phase) instead of all together at
     * the end.
     */
    static int throttledPolls(boolean throttled, boolean progressed, int before) {
        if (!throttled) {
            return 0;
        }
        return progressed ? 1 : before + 1;
    }

    /**
     * How long a phase waits before its next poll: its interval; after throttled polls, a random wait
     * of 1 s up to the interval doubled for each throttled poll in a row, at most {@link
     * #MAX_BACKOFF_SECONDS} ("full jitter", which EC2's throttling guide recommends). The randomness
     * comes from the execution, phase and poll, so that many handovers throttled together spread
     * apart while a replay of one execution waits the same.
     */
    static int waitSeconds(int interval, int throttledPolls, Input in, String phase, int poll) {
        if (throttledPolls == 0) {
            return Math.max(1, interval);
        }
        long ceiling = Math.min(MAX_BACKOFF_SECONDS, (long) Math.max(1, interval) << Math.min(throttledPolls, 16));
        long seed = Objects.hash(in.executionName(), in.instanceId(), phase, poll);
        return 1 + new SplittableRandom(seed).nextInt((int) ceiling);
    }

    // ---------------------------------------------------------------- record and complete

    /**
     * The role is SERVING (a conditional write under the epoch, made first so that a stale step
     * tags nothing), then the instance, ENI and volumes are tagged with role and epoch for the
     * instance bootstrap.
     */
    public HandoverState record(HandoverState s) {
        Input in = input(s);
        Claim c = claimed(s);
        Instant now = clock.instant();
        Role serving = store.transition(key(in, c), in.instanceId(), c.epoch(), RoleState.SERVING);
        String fs = in.fileSystem();
        String epoch = Long.toString(serving.epoch());
        // One CreateTags for the instance, its ENI and volumes: the same tags on each (the bootstrap reads
        // needs-format from the instance; on the ENI and volumes it records the claim they were moved by).
        List<String> resources = new ArrayList<>();
        resources.add(in.instanceId());
        resources.add(c.eniId());
        resources.addAll(volumeIds(c));
        aws.tag(resources, Map.of(Tags.FILE_SYSTEM, fs, Tags.ROLE, c.roleId(), Tags.EPOCH, epoch,
                Tags.NEEDS_FORMAT, Boolean.toString(serving.needsFormat())));
        if (Boolean.TRUE.equals(c.wasStandby())) {
            aws.untag(List.of(in.instanceId()), List.of(Tags.STANDBY));
        }
        Timings t = s.timingsOrStart(now);
        return s.withTimings(new Timings(t.startedAt(), t.claimedAt(), t.fencedAt(), t.detachedAt(), t.attachedAt(), now,
                null)).withOutcome("SERVING");
    }

    /**
     * Completes the lifecycle action with CONTINUE: after a handover, for a standby, for a gone
     * instance, and for an execution a newer claim superseded ("no active action" counts as done).
     */
    public HandoverState complete(HandoverState s) {
        Input in = input(s);
        aws.completeLifecycleAction(in.autoScalingGroupName(), in.lifecycleHookName(), in.lifecycleActionToken(),
                in.instanceId(), "CONTINUE");
        String outcome;
        if (s.error() != null && StaleEpochException.class.getName().equals(s.error().error())) {
            outcome = "SUPERSEDED";
        } else if (s.claim() != null && s.claim().outcome() == ClaimOutcome.STANDBY) {
            outcome = "STANDBY";
        } else if (s.claim() != null && s.claim().outcome() == ClaimOutcome.GONE) {
            outcome = "GONE";
        } else {
            outcome = "SERVING";
        }
        Instant now = clock.instant();
        Timings t = s.timingsOrStart(now);
        HandoverState done = s.withTimings(new Timings(t.startedAt(), t.claimedAt(), t.fencedAt(), t.detachedAt(),
                t.attachedAt(), t.servingAt(), now)).withOutcome(outcome);
        if (outcome.equals("SUPERSEDED")) {
            metrics.accept(Emf.document(now, in.fileSystem(), Map.of("StaleEpochAborts", Emf.Metric.count(1)),
                    Map.of("instance", in.instanceId(), "execution", String.valueOf(in.executionName()))));
        } else if (outcome.equals("SERVING")) {
            report(done, null);
        }
        return done;
    }

    /**
     * A claimed handover ended: its record (kept for operators; failing to write it never fails the
     * handover) and its metrics — phase durations, forced stops and detaches, failures and timeouts.
     */
    private void report(HandoverState s, HandoverState.StepError error) {
        Input in = s.input();
        Claim c = s.claim();
        Timings t = s.timings();
        Double fence = seconds(t.claimedAt(), t.fencedAt());
        Double detach = seconds(t.fencedAt(), t.detachedAt());
        Double attach = seconds(t.detachedAt(), t.attachedAt());
        Double total = seconds(t.startedAt(), t.servingAt() != null ? t.servingAt() : t.completedAt());
        try {
            history.record(new HandoverRecord(in.fileSystem(), c.roleId(), String.valueOf(in.executionName()),
                    c.previousOwner(), in.instanceId(), c.epoch(), error == null ? "SERVING" : "FAILED", t.startedAt(),
                    t.completedAt(), fence, detach, attach, total,
                    error == null ? null : error.error() + ": " + abbreviate(error.cause(), 400)));
        } catch (LustreHaException e) {
            // The record is for operators; the role's own item already says what happened.
        }
        Map<String, Emf.Metric> m = new LinkedHashMap<>();
        m.put("Handovers", Emf.Metric.count(1));
        putSeconds(m, "HandoverSeconds", total);
        putSeconds(m, "FenceSeconds", fence);
        putSeconds(m, "DetachSeconds", detach);
        putSeconds(m, "AttachSeconds", attach);
        m.put("ForcedFences", Emf.Metric.count(s.fence() == null ? 0 : s.fence().stopsSent().size()));
        m.put("ForcedDetaches", Emf.Metric.count(s.detach() == null ? 0 : s.detach().forced().size()));
        m.put("HandoverFailures", Emf.Metric.count(error == null ? 0 : 1));
        m.put("HandoverTimeouts", Emf.Metric.count(error != null
                && HandoverTimeoutException.class.getName().equals(error.error()) ? 1 : 0));
        metrics.accept(Emf.document(t.completedAt(), in.fileSystem(), m, Map.of("role", c.roleId(),
                "roleType", String.valueOf(in.roleType()), "epoch", Long.toString(c.epoch()),
                "instance", in.instanceId(), "execution", String.valueOf(in.executionName()))));
    }

    private static void putSeconds(Map<String, Emf.Metric> m, String name, Double value) {
        if (value != null) {
            m.put(name, Emf.Metric.seconds(value));
        }
    }

    private static Double seconds(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to).toMillis() / 1000.0;
    }

    /**
     * After an unrecoverable failure: gives the claim back under its epoch with the reason (the
     * owner stays recorded, so the next claimant fences it), then completes the lifecycle action —
     * ABANDON only where a relaunch can help (this instance cannot take the role), else CONTINUE,
     * with the instance tagged a standby.
     */
    public HandoverState compensate(HandoverState s) {
        Input in = input(s);
        HandoverState.StepError error = s.error() == null
                ? new HandoverState.StepError("Unknown", "no error recorded") : s.error();
        Claim c = s.claim();
        if (c != null && c.outcome() == ClaimOutcome.CLAIMED) {
            String reason = error.error() + ": " + abbreviate(error.cause(), 400);
            try {
                store.release(key(in, c), in.instanceId(), c.epoch(), reason);
            } catch (StaleEpochException | RoleStateConflictException | RoleNotFoundException superseded) {
                // A newer claim owns the role, or it moved on: nothing of ours to give back.
            }
        }
        boolean relaunchHelps = DeviceConflictException.class.getName().equals(error.error())
                || InstanceGoneException.class.getName().equals(error.error());
        if (!relaunchHelps) {
            // It stays in service without a role: a standby, which its bootstrap and the reconciler understand.
            aws.tag(List.of(in.instanceId()), Map.of(Tags.STANDBY, in.fileSystem(), Tags.FILE_SYSTEM, in.fileSystem()));
        }
        aws.completeLifecycleAction(in.autoScalingGroupName(), in.lifecycleHookName(), in.lifecycleActionToken(),
                in.instanceId(), relaunchHelps ? "ABANDON" : "CONTINUE");
        Instant now = clock.instant();
        Timings t = s.timingsOrStart(now);
        HandoverState failed = s.withTimings(new Timings(t.startedAt(), t.claimedAt(), t.fencedAt(), t.detachedAt(),
                t.attachedAt(), t.servingAt(), now)).withOutcome("FAILED");
        if (c != null && c.outcome() == ClaimOutcome.CLAIMED) {
            report(failed, error);
        }
        return failed;
    }

    // ---------------------------------------------------------------- release

    /**
     * The terminate hook: every role this instance holds goes RELEASING under its epoch, and the
     * action is completed so the instance shuts down cleanly. The ENI and volumes stay where they
     * are; the next claimant fences and detaches them.
     */
    public HandoverState release(HandoverState s) {
        Input in = input(s);
        for (Role r : store.list(new FileSystemName(in.fileSystem()))) {
            if (r.isOwnedBy(in.instanceId()) && HELD.contains(r.state())) {
                try {
                    store.transition(r.key(), in.instanceId(), r.epoch(), RoleState.RELEASING);
                } catch (StaleEpochException | RoleStateConflictException superseded) {
                    // Claimed by a replacement meanwhile: it is no longer ours to release.
                }
            }
        }
        aws.completeLifecycleAction(in.autoScalingGroupName(), in.lifecycleHookName(), in.lifecycleActionToken(),
                in.instanceId(), "CONTINUE");
        return s.withOutcome("RELEASED");
    }

    // ---------------------------------------------------------------- plumbing

    /** Stops the step, touching nothing, unless the role is still this instance's at this epoch. */
    private void requireCurrent(HandoverState s) {
        Input in = input(s);
        Claim c = claimed(s);
        RoleKey key = key(in, c);
        Role role = store.load(key).orElseThrow(() -> new RoleNotFoundException(key, "role"));
        if (!role.isOwnedBy(in.instanceId()) || role.epoch() != c.epoch()) {
            throw new StaleEpochException(role, in.instanceId(), c.epoch());
        }
    }

    private HandoverState heartbeatIfDue(HandoverState s, Instant now) {
        Input in = s.input();
        Instant last = s.heartbeatAt() != null ? s.heartbeatAt() : s.timingsOrStart(now).startedAt();
        if (Duration.between(last, now).getSeconds() < poll(in).heartbeatSeconds()) {
            return s;
        }
        aws.heartbeat(in.autoScalingGroupName(), in.lifecycleHookName(), in.lifecycleActionToken(), in.instanceId());
        return s.withHeartbeatAt(now);
    }

    private void checkMoveBound(Input in, Claim c, Instant started, Instant now, boolean done, String phase) {
        if (!done && Duration.between(started, now).getSeconds() > poll(in).moveTimeoutSeconds()) {
            throw new HandoverTimeoutException(phase + " of " + c.roleId() + " not finished after "
                    + poll(in).moveTimeoutSeconds() + " s");
        }
    }

    private EniView eni(Claim c) {
        return aws.eni(c.eniId()).orElseThrow(() -> new BadInputException("ENI " + c.eniId() + " of " + c.roleId()
                + " does not exist"));
    }

    private static List<String> volumeIds(Claim c) {
        return c.volumes().stream().map(Volume::volumeId).toList();
    }

    private static RoleResources resourcesOf(Claim c, Input in) {
        return new RoleResources(key(in, c), c.availabilityZone(),
                new NetworkIdentity(c.eniId(), c.privateIp()), c.volumes());
    }

    private static RoleKey key(Input in, Claim c) {
        return new RoleKey(new FileSystemName(in.fileSystem()), RoleId.parse(c.roleId()));
    }

    private static Input input(HandoverState s) {
        if (s == null || s.input() == null || s.input().instanceId() == null || s.input().fileSystem() == null) {
            throw new BadInputException("the execution state has no input (instance id and file system)");
        }
        return s.input();
    }

    private static Claim claimed(HandoverState s) {
        Claim c = s.claim();
        if (c == null || c.outcome() != ClaimOutcome.CLAIMED || c.roleId() == null || c.epoch() == null) {
            throw new BadInputException("this step needs a claimed role, not " + c);
        }
        return c;
    }

    private static RoleType roleType(Input in) {
        try {
            return RoleType.valueOf(in.roleType());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new BadInputException("unknown role type " + in.roleType());
        }
    }

    private static Poll poll(Input in) {
        return in.poll() == null ? Poll.defaults() : in.poll();
    }

    private static String abbreviate(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
