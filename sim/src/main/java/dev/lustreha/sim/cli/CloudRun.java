package dev.lustreha.sim.cli;

import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.Volume;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.sim.Mutation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One local cloud as the commands use it: started quietly, followed by a timeline, and summed up at the end. */
final class CloudRun implements AutoCloseable {

    final LocalCloud cloud;
    final StepLog steps;
    final long wallStart;
    private final PrintStream out;
    private Timeline timeline;

    private CloudRun(LocalCloud cloud, PrintStream out, long wallStart) {
        this.cloud = cloud;
        this.out = out;
        this.wallStart = wallStart;
        this.steps = StepLog.attach(cloud);
    }

    /** The reconciler runs as deployed (template.yaml's ReconcileMinutes default): every two minutes. */
    static final Duration RECONCILE_EVERY = Duration.ofMinutes(2);

    static CloudRun start(FileSystemSpec spec, LocalCloud.Options options, PrintStream out, long wallStart) {
        return start(spec, options, Mutation.NONE, out, wallStart);
    }

    /**
     * Starts the local cloud. DynamoDB Local announces itself on standard output and its logging
     * library complains on standard error: both are kept from the user unless the start fails.
     */
    static CloudRun start(FileSystemSpec spec, LocalCloud.Options options, Mutation mutation, PrintStream out,
            long wallStart) {
        ByteArrayOutputStream noise = new ByteArrayOutputStream();
        LocalCloud cloud;
        Hush.on(noise);
        try {
            cloud = LocalCloud.start(spec, options, mutation);
        } catch (RuntimeException | Error e) {
            Hush.off();
            System.err.print(noise.toString(StandardCharsets.UTF_8));
            throw e;
        }
        Hush.off();
        return new CloudRun(cloud, out, wallStart);
    }

    /**
     * Standard output and error, silenced while local clouds start and stop. Many runs may start and
     * stop at once (simulate --random): the first one in silences, the last one out restores the
     * streams, and what is said meanwhile goes to the first one's buffer.
     */
    private static final class Hush {
        private static int depth;
        private static PrintStream stdout;
        private static PrintStream stderr;

        static synchronized void on(ByteArrayOutputStream noise) {
            if (depth++ == 0) {
                stdout = System.out;
                stderr = System.err;
                PrintStream sink = new PrintStream(noise, true, StandardCharsets.UTF_8);
                System.setOut(sink);
                System.setErr(sink);
            }
        }

        static synchronized void off() {
            if (--depth == 0) {
                System.setOut(stdout);
                System.setErr(stderr);
            }
        }
    }

    /** Starts printing what happens, one line per step. */
    Timeline timeline() {
        if (timeline == null) {
            timeline = new Timeline(cloud, out, wallStart);
        }
        return timeline;
    }

    double wallSeconds() {
        return Format.round1((System.nanoTime() - wallStart) / 1e9);
    }

    /** Virtual seconds since the groups were created (t+0 on the timeline). */
    double virtualSeconds() {
        return Format.between(Timeline.origin(cloud), now());
    }

    Instant now() {
        return cloud.sim().clock().now();
    }

    /**
     * Every role SERVING on a running instance that really holds its ENI and volumes and has
     * mounted them, and no owner hung (a hung server still "serves" on paper but fails its checks).
     * The role table is read before and after the cloud is looked at, and must not have changed in
     * between, so that a claim made meanwhile cannot pair one owner's attachments with another's health.
     */
    boolean servingNow() {
        if (!cloud.resourcesInPlace()) {
            return false;
        }
        List<Role> before = cloud.roles();
        for (Role r : before) {
            if (r.owner().filter(o -> cloud.sim().ec2().isImpaired(o)).isPresent()) {
                return false;
            }
        }
        return cloud.allServing(before) && cloud.roles().equals(before);
    }

    /** Waits until every role serves; false when {@code virtual} passed first. */
    boolean awaitServing(Duration virtual) {
        return servedAt(virtual).isPresent();
    }

    /**
     * Waits until every role serves, at most {@code virtual}; returns the virtual time at which the
     * check that found it so began (a check reads the table and the cloud, which takes a moment).
     */
    Optional<Instant> servedAt(Duration virtual) {
        if (cloud.deterministic()) {
            // The check runs after the steps that changed the cloud, on the thread that moves the clock.
            return cloud.awaitState(this::servingNow, virtual) ? Optional.of(now()) : Optional.empty();
        }
        Instant deadline = now().plus(virtual);
        while (true) {
            Instant started = now();
            if (servingNow()) {
                return Optional.of(started);
            }
            if (started.isAfter(deadline)) {
                return Optional.empty();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** Waits until the cloud's virtual clock reaches {@code t}. */
    void awaitTime(Instant t) {
        cloud.await(() -> !now().isBefore(t), Duration.between(now(), t).plusHours(1));
    }

    /** Waits until no workflow runs and no lifecycle action is open; false when {@code virtual} passed first. */
    boolean awaitQuiet(Duration virtual) {
        return cloud.awaitState(() -> cloud.executions().idle() && openLifecycleActions().isEmpty(), virtual);
    }

    /** The lifecycle actions started and not yet completed, cancelled or timed out. */
    Set<String> openLifecycleActions() {
        return cloud.openLifecycleActions();
    }

    /** The MGS's NID: what every client mounts. */
    String mgsNid() {
        return cloud.resources(cloud.spec().mgsRole().value()).network().privateIp() + "@tcp";
    }

    String mountCommand() {
        String fs = cloud.spec().name().value();
        return "mount -t lustre " + mgsNid() + ":/" + fs + " /mnt/" + fs;
    }

    /** The role table: who serves each role, at which NID and epoch, with which volumes (one line each). */
    String roleTable() {
        Map<String, Role> roles = cloud.roles().stream().collect(Collectors.toMap(r -> r.id().value(), Function.identity()));
        List<List<String>> rows = new ArrayList<>();
        for (RoleResources r : cloud.pool()) {
            String id = r.role().id().value();
            Optional<Role> role = Optional.ofNullable(roles.get(id));
            List<Volume> volumes = r.volumes();
            for (int i = 0; i < volumes.size(); i++) {
                Volume v = volumes.get(i);
                if (i == 0) {
                    rows.add(List.of(id, r.network().privateIp() + "@tcp", role.flatMap(Role::owner).orElse("-"),
                            role.map(x -> x.state().name()).orElse("-"),
                            role.map(x -> Long.toString(x.epoch())).orElse("-"), v.volumeId(), v.device(),
                            v.targetLabel()));
                } else {
                    rows.add(List.of("", "", "", "", "", v.volumeId(), v.device(), v.targetLabel()));
                }
            }
        }
        return Format.table(List.of(Format.Column.left("role", 6), Format.Column.left("NID", 15),
                Format.Column.left("server (owner)", 19), Format.Column.left("state", 9), Format.Column.right("epoch", 5),
                Format.Column.left("volume", 21), Format.Column.left("device", 8), Format.Column.left("target", 0)),
                rows);
    }

    @Override
    public void close() {
        if (timeline != null) {
            timeline.close();
        }
        Hush.on(new ByteArrayOutputStream());
        try {
            cloud.close();
        } finally {
            Hush.off();
        }
    }

    static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
