package dev.lustreha.sim.cli;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.sim.PlannedMoves;
import dev.lustreha.steps.HandoverState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./lustre-ha move --role R [--to standby|<instance>] --local}: a planned move on a local
 * cloud (a small file system with one OSS standby): the first boot, then the role handed to the
 * target after its owner unmounted (docs/operations.md, "Moving a role without an outage"). Prints
 * the time from the request to SERVING on the new server, the forced stops and forced detaches
 * (goal 0), and the invariants. Against an account the command is not built yet.
 */
final class MoveCommand {

    private static final Duration LIMIT = Duration.ofMinutes(30);

    private MoveCommand() {
    }

    static int run(String roleId, String to, double speed, long seed, PrintStream out, long wallStart) {
        FileSystemSpec spec = new FileSystemSpec(new FileSystemName("scratch"), "us-east-1a", 1, 4, 2, 1);
        LocalCloud.Options options = new LocalCloud.Options(seed, Latency.aws(), speed, HandoverState.Poll.defaults(), true)
                .withReconciler(CloudRun.RECONCILE_EVERY);
        try (CloudRun run = CloudRun.start(spec, options, out, wallStart)) {
            LocalCloud cloud = run.cloud;
            if (cloud.pool().stream().noneMatch(r -> r.role().id().value().equals(roleId))) {
                out.println("error: no role " + roleId + " in the local file system (mgs, mds01, oss01..oss04)");
                return Main.INVALID;
            }
            if (!run.awaitServing(LIMIT)) {
                return failed(run, out, "the first boot did not complete");
            }
            Role before = cloud.role(roleId);
            boolean ready = cloud.await(() -> cloud.role(roleId).health().mountedAt(before.epoch()).isPresent()
                    && PlannedMoves.readyStandby(cloud, before.type()).isPresent() && cloud.executions().idle(), LIMIT);
            Optional<String> target = "standby".equals(to) ? PlannedMoves.readyStandby(cloud, before.type())
                    : Optional.of(to);
            if (!ready || target.isEmpty()) {
                return failed(run, out, "no ready standby of " + before.type() + " to move " + roleId + " to");
            }
            String from = before.owner().orElseThrow();
            long mark = cloud.sim().history().entries().size();
            Instant asked = run.now();
            run.timeline().note(asked, "move", roleId + " from " + from + " to " + target.get()
                    + ": the owner is asked to unmount and let go");
            String name = cloud.startMove(roleId, target.get(), HandoverState.Move.DEFAULT_RELEASE_TIMEOUT_SECONDS);
            boolean served = cloud.await(() -> {
                Role r = cloud.role(roleId);
                return r.isOwnedBy(target.get()) && r.epoch() == before.epoch() + 1
                        && r.health().mountedAt(r.epoch()).isPresent() && cloud.executions().idle();
            }, LIMIT);
            run.awaitQuiet(LIMIT);
            run.timeline().close();
            if (!served) {
                return failed(run, out, roleId + " was not served on " + target.get() + " (" + name + ")");
            }
            List<History.Entry> after = cloud.sim().history().entries().stream().filter(e -> e.seq() >= mark).toList();
            long forcedStops = after.stream().filter(e -> e.action().equals("Ec2.StopInstances")
                    && "true".equals(e.get("force"))).count();
            long forcedDetaches = after.stream().filter(e -> e.action().startsWith("Ec2.Detach")
                    && "true".equals(e.get("force"))).count();
            boolean confirmed = after.stream().anyMatch(e -> e.action().equals("Guest.Unmounted")
                    && from.equals(e.get("instance")));
            Instant mounted = after.stream().filter(e -> e.action().equals("Guest.Mounted")
                    && target.get().equals(e.get("instance"))).map(History.Entry::at).findFirst().orElse(run.now());
            List<Invariants.Violation> violations = Invariants.check(cloud.sim().history(), cloud.pool(), true);
            out.println();
            out.print(run.roleTable());
            out.printf("%n%s moved %s -> %s: %s; request to SERVING and mounted on the new server %s s (virtual); "
                    + "forced stops %d, forced detaches %d%n", roleId, from, target.get(),
                    confirmed ? "the old server unmounted and confirmed" : "the old server did not confirm: fenced",
                    Format.number(Duration.between(asked, mounted).toMillis() / 1000.0), forcedStops, forcedDetaches);
            if (violations.isEmpty()) {
                out.println("Invariants I1-I9 held.");
            } else {
                out.println("VIOLATIONS:");
                violations.forEach(v -> out.println("  " + v.invariant() + ": " + v.detail()));
            }
            return violations.isEmpty() ? Main.OK : Main.FAILED;
        }
    }

    private static int failed(CloudRun run, PrintStream out, String what) {
        run.timeline().close();
        out.println();
        out.println("FAILED: " + what + " within " + LIMIT.toMinutes() + " virtual minutes. The roles now:");
        out.print(run.roleTable());
        return Main.FAILED;
    }
}
