package dev.lustreha.sim.cli;

import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.Volume;
import dev.lustreha.local.cloud.History;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.steps.HandoverState.Claim;
import dev.lustreha.trigger.TriggerResult;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Prints what happens on the local cloud while it happens, one line per step of the story: the
 * servers Auto Scaling launches and terminates, each handover's claim, fence, detach, attach and
 * completion (from the workflow steps' own outputs), and the faults. Each line shows the virtual
 * time since the Auto Scaling groups were created and the wall time since the command started:
 *
 * <pre>[ t+ 312.4s | wall   3.1s ] oss02  fenced: i-0abc… is stopped</pre>
 *
 * Lines are observed from several threads and a poll of the cloud's history, so they are held for
 * a moment and printed in virtual-time order.
 */
final class Timeline implements SimulateCommand.Notes, AutoCloseable {

    private static final long POLL_MILLIS = 20;
    /** Lines wait this long (wall) before printing, so that lines observed late still print in order. */
    private static final long HOLD_NANOS = 120_000_000L;

    private record Line(Instant at, long seq, long observedNanos, String who, String text) {
    }

    private final LocalCloud cloud;
    private final PrintStream out;
    private final long wallStart;
    private final Instant origin;
    private final Map<String, RoleResources> resources;
    private final Map<String, String> labelOfVolume;
    private final List<Line> pending = new ArrayList<>();
    private long seq;
    /** Instance -> the role it owns or owned last, for naming the servers in lines. */
    private final Map<String, String> roleOfInstance = new ConcurrentHashMap<>();
    private final Set<String> once = ConcurrentHashMap.newKeySet();
    private final Set<String> launchFailing = new HashSet<>();
    /** Results not to print, by identity: the replayed events'. */
    private final Set<TriggerResult> quiet = Collections.newSetFromMap(new IdentityHashMap<>());
    private int historySeen;
    private int triggersSeen;
    private volatile boolean running = true;
    private final Thread poller;

    Timeline(LocalCloud cloud, PrintStream out, long wallStart) {
        this.cloud = cloud;
        this.out = out;
        this.wallStart = wallStart;
        this.origin = origin(cloud);
        this.resources = cloud.pool().stream()
                .collect(Collectors.toMap(r -> r.role().id().value(), Function.identity()));
        this.labelOfVolume = cloud.pool().stream().flatMap(r -> r.volumes().stream())
                .collect(Collectors.toMap(Volume::volumeId, Volume::targetLabel));
        for (Role r : cloud.roles()) {
            r.owner().ifPresent(o -> roleOfInstance.put(o, r.id().value()));
        }
        historySeen = cloud.sim().history().entries().size();
        triggersSeen = cloud.triggerResults().size();
        cloud.onStepOutput((function, json) -> {
            if (running) {
                StepLog.parse(json).ifPresent(s -> step(function, s));
            }
        });
        poller = Thread.ofPlatform().daemon().name("timeline").start(this::run);
    }

    /** When the Auto Scaling groups were created and began to launch the first servers: t+0. */
    static Instant origin(LocalCloud cloud) {
        return cloud.sim().history().entries("AutoScaling.CreateGroup").stream().map(History.Entry::at).findFirst()
                .orElse(cloud.sim().clock().now());
    }

    /** Virtual seconds since the groups were created, for an instant of the cloud's clock. */
    double t(Instant at) {
        return Format.between(origin, at);
    }

    /** A line about something the command itself did (a fault, a milestone), at the current virtual time. */
    @Override
    public void note(String who, String text) {
        add(cloud.sim().clock().now(), who, text);
    }

    /** A line about something that held at {@code at}. */
    @Override
    public void note(Instant at, String who, String text) {
        add(at, who, text);
    }

    /**
     * Runs {@code trigger} (a replayed event handed to a trigger) without the timeline repeating its
     * result, which the caller prints itself; results of events the cloud publishes still show.
     */
    synchronized TriggerResult replayed(Supplier<TriggerResult> trigger) {
        TriggerResult r = trigger.get();
        quiet.add(r);
        return r;
    }

    /** Prints every line observed so far, now. */
    void flush() {
        poll();
        drain(true);
    }

    /** Prints a text block right after the lines observed so far. */
    @Override
    public void print(String text) {
        flush();
        synchronized (pending) {
            out.println(text);
            out.flush();
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        try {
            poller.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            poll();
            drain(false);
        }
    }

    private void add(Instant at, String who, String text) {
        synchronized (pending) {
            pending.add(new Line(at, seq++, System.nanoTime(), who == null ? "" : who, text));
        }
    }

    private void drain(boolean all) {
        synchronized (pending) {
            long now = System.nanoTime();
            List<Line> ready = pending.stream().filter(l -> all || now - l.observedNanos() >= HOLD_NANOS)
                    .sorted(Comparator.comparing(Line::at).thenComparingLong(Line::seq)).toList();
            if (ready.isEmpty()) {
                return;
            }
            pending.removeAll(ready);
            for (Line l : ready) {
                out.printf(Locale.ROOT, "[ t+%6.1fs | wall %5.1fs ] %-6s %s%n", t(l.at()),
                        (l.observedNanos() - wallStart) / 1e9, l.who(), l.text());
            }
            out.flush();
        }
    }

    // ---------------------------------------------------------------- what the cloud did (history)

    private synchronized void poll() {
        List<History.Entry> entries = cloud.sim().history().entries();
        for (int i = historySeen; i < entries.size(); i++) {
            history(entries.get(i));
        }
        historySeen = entries.size();
        List<TriggerResult> results = cloud.triggerResults();
        for (int i = triggersSeen; i < results.size(); i++) {
            TriggerResult r = results.get(i);
            if (!quiet.remove(r)) {
                trigger(r);
            }
        }
        triggersSeen = results.size();
    }

    private void history(History.Entry e) {
        String instance = e.get("instance");
        String role = instance == null ? "" : roleOfInstance.getOrDefault(instance, "");
        switch (e.action()) {
            case "Ec2.Launch" -> {
                String group = e.get("group");
                launchFailing.remove(group);
                add(e.at(), "", "Auto Scaling launches server " + instance + " in group " + group);
            }
            case "AutoScaling.LaunchFailed" -> {
                if (launchFailing.add(e.get("group"))) {
                    add(e.at(), "", "Auto Scaling cannot launch in " + e.get("group") + ": " + e.get("error")
                            + " (it retries every 30 s)");
                }
            }
            case "AutoScaling.LaunchBeforeTerminate" -> add(e.at(), role, "Auto Scaling: " + instance + " " + e.get("cause")
                    + "; it launches a replacement while the old server still runs");
            case "AutoScaling.Terminating" -> add(e.at(), role, "Auto Scaling terminates " + instance + " ("
                    + e.get("cause") + ")");
            case "Ec2.InstanceState" -> {
                String state = e.get("state");
                if (!role.isEmpty() && !state.equals("pending") && !state.equals("running")) {
                    add(e.at(), role, "server " + instance + " is " + state + reason(e.get("reason")));
                }
            }
            case "Events.Dropped" -> add(e.at(), "", "EventBridge lost an event: " + e.get("detailType"));
            case "AutoScaling.LifecycleActionTimeout" -> add(e.at(), role, "lifecycle hook " + e.get("hook") + " of "
                    + instance + " timed out: Auto Scaling applied " + e.get("defaultResult"));
            case "Guest.Mount" -> mounted(e, instance, role);
            case "Lambda.TriggerFailed" -> add(e.at(), "", "a trigger failed on " + e.get("detailType") + " ("
                    + withoutPackage(e.get("error")) + ")" + ("true".equals(e.get("retried"))
                            ? "; Lambda retries it later" : "; Lambda's retries are used up: the event is dropped"));
            default -> {
            }
        }
    }

    /** "dev.lustreha.errors.AwsUnavailableException: ..." without the package. */
    private static String withoutPackage(String error) {
        int colon = error.indexOf(':');
        String name = colon < 0 ? error : error.substring(0, colon);
        return name.substring(name.lastIndexOf('.') + 1) + (colon < 0 ? "" : error.substring(colon));
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank() || reason.equals("launched") || reason.equals("booting")) {
            return "";
        }
        return " (" + reason + ")";
    }

    /** One line per role and owner once the owner's OS has mounted every target of the role. */
    private void mounted(History.Entry e, String instance, String role) {
        RoleResources r = resources.get(role);
        if (r == null) {
            return;
        }
        Set<String> mounted = cloud.sim().ec2().mountedOn(instance);
        if (!mounted.containsAll(r.volumes().stream().map(Volume::volumeId).toList())
                || !once.add("mounted " + role + " " + instance)) {
            return;
        }
        boolean formatted = cloud.sim().history().entries("Guest.Format").stream()
                .anyMatch(f -> instance.equals(f.get("instance")));
        String labels = r.volumes().stream().map(v -> labelOfVolume.get(v.volumeId())).collect(Collectors.joining(", "));
        add(e.at(), role, "the server's OS is up: " + (formatted ? "formatted (first claim only) and mounted "
                : "mounted ") + labels + "; clients reach it at " + r.network().privateIp() + "@tcp");
    }

    private void trigger(TriggerResult r) {
        switch (r.action()) {
            case "ORPHANED" -> note(roleOfInstance.getOrDefault(r.instanceId(), ""),
                    (r.reason().contains("health alarm") ? "health trigger: " : "state-change trigger: ") + r.reason());
            case "HELD" -> note(roleOfInstance.getOrDefault(r.instanceId(), ""), "health trigger: HELD " + r.reason());
            case "DUPLICATE" -> note("", "lifecycle trigger: duplicate event for " + r.instanceId()
                    + ": its execution exists already, nothing new started");
            case "REJECTED", "IGNORED" -> note("", "trigger " + r.action() + ": " + r.reason());
            default -> {
            }
        }
    }

    // ---------------------------------------------------------------- what the workflow steps did

    private void step(String function, HandoverState s) {
        Claim c = s.claim();
        String instance = s.input() == null ? null : s.input().instanceId();
        String execution = s.input() == null ? "" : s.input().executionName();
        String role = c != null && c.roleId() != null ? c.roleId() : roleOfInstance.getOrDefault(instance, "");
        boolean handover = c != null && c.previousOwner() != null;
        switch (function) {
            case "ClaimFunction" -> claim(s, c, instance, role);
            case "FenceFunction" -> {
                HandoverState.Fence f = s.fence();
                if (f == null || f.holders().isEmpty()) {
                    return;
                }
                for (String stopped : f.stopsSent()) {
                    if (once.add(execution + " stop " + stopped)) {
                        note(role, "fence: force-stopping " + stopped + " (it still runs; nothing moves until EC2 "
                                + "says stopped)");
                    }
                }
                if (f.fenced() && once.add(execution + " fenced")) {
                    note(role, "fenced: " + f.holders().stream().map(h -> h + " is "
                            + cloud.sim().ec2().stateOf(h).map(Object::toString).orElse("gone")
                            + (s.claim() != null && s.claim().releasedBy(h) ? " (it unmounted: not stopped)" : ""))
                            .collect(Collectors.joining(", ")));
                    if (handover && f.resourcesFree() && once.add(execution + " detached")) {
                        // The workflow skips its Detach step: the fence saw nothing attached elsewhere.
                        note(role, "nothing to detach: the old server's termination already released its ENI and "
                                + "volumes");
                    }
                }
            }
            case "DetachFunction" -> {
                HandoverState.Detach d = s.detach();
                if (d == null || !handover) {
                    return;
                }
                for (String forced : d.forced()) {
                    if (once.add(execution + " force " + forced)) {
                        note(role, forced + " stayed busy: detached with Force (its holder is fenced)");
                    }
                }
                if (d.done() && once.add(execution + " detached")) {
                    long enis = d.detachingSince().keySet().stream().filter(k -> k.startsWith("eni-")).count();
                    long volumes = d.detachingSince().size() - enis;
                    note(role, d.detachingSince().isEmpty()
                            ? "nothing to detach: the old server's termination already released its ENI and volumes"
                            : "detached " + (enis > 0 ? "the ENI and " : "") + Format.count((int) volumes, "volume")
                                    + " from " + String.join(", ", s.fence().holders()));
                }
            }
            case "AttachFunction" -> {
                if (handover && s.attach() != null && s.attach().done() && once.add(execution + " attached")) {
                    note(role, "attached the ENI (NID " + c.privateIp() + "@tcp) and "
                            + Format.count(c.volumes().size(), "volume") + " to " + instance);
                }
            }
            case "RecordFunction" -> serving(s, c, instance, role, execution);
            case "CompleteFunction" -> {
                if ("SUPERSEDED".equals(s.outcome()) && once.add(execution + " superseded")) {
                    note(role, "execution " + execution + " was superseded by a newer claim: it changed nothing");
                }
            }
            case "CompensateFunction" -> note(role, "handover to " + instance + " FAILED: " + error(s)
                    + "; the claim is given back");
            case "ReleaseFunction" -> {
                if (!role.isEmpty()) {
                    note(role, "release workflow completed the terminate hook of " + instance);
                }
            }
            default -> {
            }
        }
    }

    private void claim(HandoverState s, Claim c, String instance, String role) {
        if (c == null) {
            return;
        }
        switch (c.outcome()) {
            case CLAIMED -> {
                roleOfInstance.put(instance, c.roleId());
                if (Boolean.TRUE.equals(c.resumed())) {
                    return;
                }
                if (c.previousOwner() == null) {
                    note(role, "claimed by new server " + instance + " (first claim, epoch " + c.epoch() + ")");
                } else {
                    note(role, "claimed by " + instance + " at epoch " + c.epoch() + "; the previous owner "
                            + c.previousOwner() + " must be fenced first");
                }
            }
            case STANDBY -> note("", "server " + instance + " found no role to take: it stays a standby");
            case GONE -> note("", "server " + instance + " is gone: nothing to claim");
            case RELEASING -> note(c.roleId(), "planned move to " + instance + ": waiting for the owner to unmount");
        }
    }

    private void serving(HandoverState s, Claim c, String instance, String role, String execution) {
        if (c == null || !once.add(execution + " serving")) {
            return;
        }
        HandoverState.Timings t = s.timings();
        if (c.previousOwner() == null || t == null) {
            note(role, "recorded SERVING on " + instance + " at epoch " + c.epoch());
            return;
        }
        note(role, "recorded SERVING on " + instance + " at epoch " + c.epoch() + "; the handover took "
                + Format.seconds(Format.between(t.startedAt(), t.servingAt())) + " (fence "
                + phase(t.claimedAt(), t.fencedAt()) + ", detach " + phase(t.fencedAt(), t.detachedAt()) + ", attach "
                + phase(t.detachedAt(), t.attachedAt()) + ")");
    }

    private static String phase(Instant from, Instant to) {
        return from == null || to == null ? "-" : Format.seconds(Format.between(from, to));
    }

    private static String error(HandoverState s) {
        if (s.error() == null) {
            return "unknown error";
        }
        String name = s.error().error() == null ? "" : s.error().error();
        String cause = s.error().cause() == null ? "" : s.error().cause();
        if (cause.length() > 200) {
            cause = cause.substring(0, 200) + "…";
        }
        // The local engine's Cause is "<errorType>: <errorMessage>" (see README: Lambda and Step Functions, locally).
        return !name.isEmpty() && cause.startsWith(name) ? withoutPackage(cause)
                : withoutPackage(name) + (cause.isEmpty() ? "" : ": " + cause);
    }
}
