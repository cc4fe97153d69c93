package dev.lustreha.sim.cli;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.Invariants;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.steps.HandoverState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./lustre-ha demo}: the main job in one command. A local cloud with a small Lustre file
 * system (mgs, mds01, oss01-oss04); its first boot; an OSS server terminated; an MDS server that
 * hangs (a zombie). Each handover is shown live, then the role table and the client mount command.
 * Written for someone who has never seen Lustre. With {@code --mgs-on-mds} the file system has no
 * mgs role: the MGS runs on mds01's server (docs/layouts.md), and the hung MDS server takes the MGS
 * down with it.
 */
final class DemoCommand {

    /** Virtual seconds per wall second: the whole story (about ten virtual minutes) in well under a minute. */
    static final double SPEED = 20;
    private static final Duration LIMIT = Duration.ofMinutes(30);

    private DemoCommand() {
    }

    static int run(double speed, long seed, boolean mgsOnMds, Outputs outputs, PrintStream out, long wallStart) {
        FileSystemSpec spec = new FileSystemSpec(new FileSystemName("scratch"), "us-east-1a", 1, 4, 2, 0, mgsOnMds);
        out.print("""
                lustre-ha demo: high availability for Lustre file servers, on a local cloud

                A Lustre file system is served by a few servers, each in one *role*:
                """ + (mgsOnMds ? """
                  mds01    a metadata server, which also runs the management server (MGS): clients ask
                           it where everything is (the co-located layout: one server fewer)
                """ : """
                  mgs      the management server: clients ask it where everything is
                  mds01    a metadata server: file names, directories, permissions
                """) + """
                  oss01..  object storage servers: the file contents
                Each role has a fixed network address, its NID, that clients connect to, and disks
                (EBS volumes) that hold its data, its *targets*.

                lustre-ha keeps every role served. Each server runs in an EC2 Auto Scaling group; when
                one dies, the group starts a new server, and lustre-ha moves the role to it: the
                network address (an ENI) and the disks. First it makes sure the old server is really
                stopped ("fencing"), so two servers never write to one disk. Every move raises the
                role's *epoch*, a counter: a step working for an older owner is refused.

                All of it runs here, with no AWS account: a simulated EC2 and Auto Scaling, DynamoDB
                Local for the role table, lustre-ha's real Lambda handlers, and its real Step Functions
                state machine on a local engine. Virtual time runs %sx faster than the wall clock;
                each line shows both.

                """.formatted(Format.number(speed)));
        out.flush();
        LocalCloud.Options options = new LocalCloud.Options(seed, Latency.aws(), speed, HandoverState.Poll.defaults(), true)
                .withReconciler(CloudRun.RECONCILE_EVERY);
        try (CloudRun run = CloudRun.start(spec, options, out, wallStart)) {
            List<Report.InjectedFault> faults = new ArrayList<>();
            Instant[] allServing = new Instant[1];
            String failure = story(run, spec, faults, allServing);
            if (failure == null) {
                run.awaitQuiet(LIMIT);
            }
            run.timeline().close();
            List<Invariants.Violation> violations = Invariants.check(run.cloud.sim().history(), run.cloud.pool(), true);
            List<Report.Handover> all = Report.handovers(run.cloud, run.steps);
            List<Report.Handover> handovers = all.stream().filter(h -> h.fromInstance() != null).toList();
            boolean ok = failure == null && violations.isEmpty() && handovers.stream().allMatch(Report.Handover::ok);
            Instant origin = Timeline.origin(run.cloud);
            Report report = new Report("demo", ok, Report.violations(run.cloud, violations), Report.roles(run.cloud), all,
                    Report.apiCalls(run.cloud), run.virtualSeconds(), run.wallSeconds(), seed, speed, List.of(),
                    List.copyOf(faults), allServing[0] == null ? null : Format.between(origin, allServing[0]),
                    Report.alarms(run.cloud), "./lustre-ha demo --seed " + seed);
            outputs.write(report, out);
            if (failure != null) {
                out.println();
                out.println("FAILED: " + failure + " within " + LIMIT.toMinutes() + " virtual minutes. The roles now:");
                out.print(run.roleTable());
                return Main.FAILED;
            }
            ending(run, handovers, violations, out);
            return ok ? Main.OK : Main.FAILED;
        }
    }

    /**
     * The three stories; null when each ended with every role serving, else what did not. Records
     * each fault it injects and when every role first served.
     */
    private static String story(CloudRun run, FileSystemSpec spec, List<Report.InjectedFault> faults,
            Instant[] allServing) {
        boolean mgsOnMds = spec.mgsOnMds();
        int roles = spec.roles().size();
        Timeline timeline = run.timeline();
        timeline.print("""
                1/3  First boot. %s fresh servers start; each one claims a free role, gets its
                     network address and disks, formats them (first time only) and serves.
                """.formatted(roles == 6 ? "Six" : roles == 5 ? "Five" : Integer.toString(roles)));
        if (!run.awaitServing(LIMIT)) {
            return "the first boot did not complete";
        }
        Instant t0 = run.now();
        allServing[0] = t0;
        timeline.note("", "all " + roles + " roles serving: a client can mount the file system now");

        String oss = run.cloud.role("oss02").owner().orElseThrow();
        timeline.print("""

                2/3  An OSS server is terminated (someone terminates it by mistake, or its hardware fails).
                     Auto Scaling replaces it; the new server claims oss02, and lustre-ha moves oss02's
                     network address and two disks to it once EC2 confirms the old one is gone.
                """);
        Instant terminatedAt = run.now();
        run.cloud.sim().ec2().terminateInstances(r -> r.instanceIds(oss));
        faults.add(fault(run, t0, terminatedAt, "terminate", "oss02", oss));
        timeline.note(terminatedAt, "fault", "terminate " + oss + " (the oss02 server)");
        if (!run.awaitServing(LIMIT)) {
            return "oss02 was not served again";
        }
        timeline.note("", "oss02 is back: same NID, same disks, new server; clients reconnect and carry on");

        String mds = run.cloud.role("mds01").owner().orElseThrow();
        timeline.print("""

                3/3  The MDS server hangs: it still runs, but stops answering (a "zombie"). The dangerous
                     case: it may still write to its %s. Auto Scaling sees it fail its health checks and
                     starts a replacement while the zombie runs; lustre-ha force-stops the zombie, and only
                     when EC2 says "stopped" does it move %s.
                """.formatted(mgsOnMds ? "two disks, the MGT and the MDT" : "disk", mgsOnMds ? "them" : "the disk"));
        Instant hungAt = run.now();
        run.cloud.sim().ec2().setHung(mds, true);
        faults.add(fault(run, t0, hungAt, "hang", "mds01", mds));
        timeline.note(hungAt, "fault", "hang " + mds + " (the mds01 server); Auto Scaling tolerates failing status "
                + "checks for about two minutes before it acts");
        if (!run.awaitServing(LIMIT)) {
            return "mds01 was not served again";
        }
        timeline.note("", "mds01 is back on a new server; the zombie is stopped and can never write again"
                + (mgsOnMds ? " (the MGS came back with it, at the same NID)" : ""));
        return null;
    }

    private static Report.InjectedFault fault(CloudRun run, Instant t0, Instant at, String kind, String role,
            String instance) {
        Instant origin = Timeline.origin(run.cloud);
        return new Report.InjectedFault(Format.between(t0, at), kind, role, null, instance, null,
                Format.between(origin, at));
    }

    /** The role table, the mount command, the handovers and the invariants, for a person. */
    private static void ending(CloudRun run, List<Report.Handover> handovers, List<Invariants.Violation> violations,
            PrintStream out) {
        out.println();
        out.println("The file system now (each role: its NID, the server that owns it, its epoch, its disks):");
        out.print(run.roleTable());
        out.println();
        out.println("A Lustre client mounts it through the MGS's NID, which never changed:");
        out.println("  " + run.mountCommand());
        out.println();
        out.println("Handovers (virtual seconds: fence = until the old server was confirmed stopped, detach and");
        out.println("attach = moving the ENI and disks, total = from the new server's request to the end):");
        for (Report.Handover h : handovers) {
            out.printf("  %-6s %s -> %s  fence %s s, detach %s s, attach %s s, total %s s  %s%n", h.role(),
                    h.fromInstance(), h.toInstance(), n(h.phases().fence()), n(h.phases().detach()),
                    n(h.phases().attach()), n(h.phases().total()), h.outcome());
        }
        out.println();
        if (violations.isEmpty()) {
            out.println("Checked from everything the simulated cloud recorded: no two servers ever held one");
            out.println("role's disks or address (I1); nothing was detached from a server still running (I2);");
            out.println("no step with an old epoch changed anything (I3); no disk was formatted twice or");
            out.println("deleted (I4); every lifecycle action was completed (I5).");
        } else {
            out.println("VIOLATIONS:");
            violations.forEach(v -> out.println("  " + v.invariant() + ": " + v.detail()));
        }
        out.printf("%nDone in %s s of virtual time, %s s of wall time. Next: ./lustre-ha simulate "
                + "scenarios/<file>.json, ./lustre-ha replay events/<file>.json (see README).%n",
                Format.number(run.virtualSeconds()),
                Format.number(run.wallSeconds()));
    }

    private static String n(Double d) {
        return d == null ? "-" : Format.number(d);
    }
}
