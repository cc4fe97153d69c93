package dev.lustreha.sim.cli;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.sim.LocalCloud;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./lustre-ha demo | replay | simulate | status | dashboard}: lustre-ha's production handlers and state
 * machines on the local cloud, from the command line, and the status of a file system in an AWS
 * account or on the local cloud. Exit codes: 0 when everything held, 1 when an invariant broke or an
 * expectation was missed (or the run itself failed, or status could not read the tables), 2 for
 * invalid input (a bad scenario, a missing file, unknown options).
 */
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;

    /** Where relative paths on the command line start: the launcher passes the user's directory. */
    static final String CWD_PROPERTY = "lustre-ha.cwd";

    private static final String USAGE = """
            usage: ./lustre-ha demo [--speed N] [--seed N] [--mgs-on-mds] [--report <out.json>] [--html <out.html>]
                   ./lustre-ha replay [--file-system NAME] [--map <instance-id>=<role>]... [--speed N]
                                      <event.json>...
                   ./lustre-ha simulate <scenario.json> [--report <out.json>] [--html <out.html>]
                                        [--engine in-jvm|asl] [--speed N]
                   ./lustre-ha simulate --random N [--seed S] [--threads T] [--failures <dir>]
                   ./lustre-ha status [--file-system NAME] --roles-table T --resources-table T
                                      [--history-table T] [--region R]
                   ./lustre-ha status --local [--fault <terminate|stop|hang>:<role>] [--speed N] [--seed N]
                   ./lustre-ha status ... [--json] [--watch [--interval S] [--renders N]]
                   ./lustre-ha dashboard [--write]
                   ./lustre-ha move --role R [--to standby|<instance>] --local [--speed N] [--seed N]
                   ./lustre-ha report <report.json> --html <out.html>

              demo      a local cloud with a small Lustre file system: first boot, an OSS server
                        terminated, an MDS server that hangs; every handover shown live
              replay    feeds EventBridge events (events/*.json, or ones captured from your account)
                        to the triggers on the local cloud and runs the workflows they start
              simulate  runs a scenario file (faults at virtual times, expectations), prints a
                        timeline, writes a JSON report; exit 0 ok, 1 not ok, 2 invalid scenario.
                        --random N runs N random fault schedules (seeds S, S+1, ...; S defaults
                        to 1) with the invariants checked after every step; each failing one is
                        shrunk and written to <dir> (default simulate-failures) as a scenario file,
                        with a page of its run beside it (random-<seed>.html)
              status    prints a file system's roles (owner, state, epoch, NID, volumes), each role's
                        last handover, and the client mount command, read from the stack's tables
                        (the RolesTableName, ResourcesTableName, HistoryTableName outputs) with the
                        default AWS credentials, read only; --local reads a local cloud's instead,
                        after a first boot and the --fault, if any (e.g. terminate:oss02).
                        --json prints one document (schema lustre-ha.status/1, docs/observability.md);
                        --watch shows it again every --interval S seconds (default 5) until
                        interrupted, or --renders N times
              report    draws the page of a JSON report written by demo or simulate --report
              dashboard prints the CloudWatch dashboard and saved queries generated for
                        template.yaml; --write puts them into template.yaml
              move      a planned move on a local cloud: the role's owner unmounts, then the role
                        goes to the standby without a forced stop (against an account: not yet)

              --report FILE    demo, simulate: the run's JSON report (roles, handovers and their
                               phases, faults, alarms, invariants)
              --html FILE      demo, simulate, report: a page of the run, one file that opens in any
                               browser without a network: each role's servers and handovers over
                               virtual time, the faults, alarms and invariants (docs/reports.md)

              --engine         simulate: in-jvm (default: deterministic, a seed replays to the same
                               run) or asl (aws-local-stepfunctions in wall time, at --speed)
              --speed N        virtual seconds per wall second (demo: 20; replay, status, simulate
                               --engine asl: 100)
              --file-system    replay: the local file system's name, so events of your groups
                               (<name>-oss...) match; status: the stack's FileSystemName (default scratch)
              --mgs-on-mds     demo: the co-located layout, the MGS on mds01's server (docs/layouts.md)
              --map            the instance an event names is played by the local server of that role
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        long wallStart = System.nanoTime();
        if (args.length == 0) {
            err.print(USAGE);
            return INVALID;
        }
        if (Arrays.stream(args).anyMatch(a -> List.of("-h", "--help", "help").contains(a))) {
            out.print(USAGE);
            return OK;
        }
        try {
            Args a = Args.parse(args);
            return switch (a.command) {
                case "demo" -> DemoCommand.run(a.speed(DemoCommand.SPEED), a.seed, a.mgsOnMds, new Outputs(a.report, a.html), out,
                        wallStart);
                case "report" -> report(a, out);
                case "replay" -> replay(a, out, wallStart);
                case "simulate" -> simulate(a, out, err, wallStart);
                case "status" -> status(a, out, err, wallStart);
                case "move" -> move(a, out, wallStart);
                case "dashboard" -> dashboard(a, out, err);
                default -> throw new Usage("unknown command '" + a.command + "'");
            };
        } catch (Usage e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return INVALID;
        } catch (RuntimeException e) {
            err.println("error: the run failed: " + e);
            e.printStackTrace(err);
            return FAILED;
        }
    }

    private static int move(Args a, PrintStream out, long wallStart) throws Usage {
        if (a.role == null) {
            throw new Usage("move needs --role, e.g. --role oss02");
        }
        if (!a.local) {
            throw new Usage("move runs on the local cloud only (--local); against an account it is not built yet "
                    + "(docs/operations.md, \"Moving a role without an outage\")");
        }
        return MoveCommand.run(a.role, a.to == null ? "standby" : a.to, a.speed(100), a.seed, out, wallStart);
    }

    private static int simulate(Args a, PrintStream out, PrintStream err, long wallStart) throws Usage {
        if (a.random != null) {
            return simulateRandom(a, out);
        }
        if (a.threads != null || a.failures != null) {
            throw new Usage("--threads and --failures are options of simulate --random");
        }
        if (a.files.size() != 1) {
            throw new Usage("simulate takes one scenario file");
        }
        Path file = a.files.get(0);
        Scenario scenario;
        try {
            scenario = Scenario.parse(read(file));
        } catch (Scenario.Invalid e) {
            err.println("invalid scenario " + file + ": " + e.getMessage());
            return INVALID;
        }
        LocalCloud.Engine engine = a.engine == null ? LocalCloud.Engine.VIRTUAL : a.engine;
        if (engine == LocalCloud.Engine.VIRTUAL && a.speed != null) {
            throw new Usage("--speed is for --engine asl: the in-JVM engine runs in virtual time only");
        }
        if (engine != LocalCloud.Engine.VIRTUAL && scenario.faults().stream().anyMatch(f -> f.step() != null)) {
            err.println("invalid scenario " + file + ": faults tied to a handover step need the in-JVM engine");
            return INVALID;
        }
        Report report = SimulateCommand.run(scenario, new SimulateCommand.Settings(engine, a.speed(100), false), out,
                wallStart).withReplay("./lustre-ha simulate " + a.typedFiles.get(0)
                        + (engine == LocalCloud.Engine.VIRTUAL ? "" : " --engine asl --speed " + Format.number(a.speed(100))));
        new Outputs(a.report, a.html).write(report, out);
        return report.ok() ? OK : FAILED;
    }

    private static int simulateRandom(Args a, PrintStream out) throws Usage {
        if (!a.files.isEmpty() || a.report != null || a.html != null || a.engine != null || a.speed != null) {
            throw new Usage("simulate --random takes no scenario file, --report, --html, --engine or --speed (each "
                    + "failing schedule's page is written beside its scenario file)");
        }
        long first = a.seedGiven ? a.seed : 1;
        int threads = a.threads == null ? Runtime.getRuntime().availableProcessors() : a.threads;
        Path failures = a.failures == null ? Args.resolve("simulate-failures") : a.failures;
        out.println("simulate --random " + a.random + ": seeds " + first + ".." + (first + a.random - 1) + ", "
                + threads + " thread" + (threads == 1 ? "" : "s") + ", invariants I1-I9 after every step");
        RandomSchedules.Summary s = RandomSchedules.run(a.random, first, threads, failures, out);
        out.println("faults drawn (kind@step): " + s.faultKinds());
        out.println("faults that struck (a fault tied to a step strikes only if such a step ran): " + s.struck());
        out.printf(Locale.ROOT, "%d schedules, %d violations, %.1f s wall, %.0f s virtual (%.0fx)%n", s.runs(),
                s.failures().size(), s.wallSeconds(), s.virtualSeconds(), s.virtualSeconds() / s.wallSeconds());
        return s.failures().isEmpty() ? OK : FAILED;
    }

    /** {@code report <report.json> --html <out.html>}: the page of a report written earlier. */
    private static int report(Args a, PrintStream out) throws Usage {
        if (a.files.size() != 1 || a.html == null) {
            throw new Usage("report takes one JSON report and --html <out.html>");
        }
        Report report;
        try {
            report = Report.read(read(a.files.get(0)));
        } catch (IllegalArgumentException e) {
            throw new Usage(a.files.get(0) + " is " + e.getMessage());
        }
        new Outputs(null, a.html).write(report, out);
        return OK;
    }

    private static int replay(Args a, PrintStream out, long wallStart) throws Usage {
        if (a.files.isEmpty()) {
            throw new Usage("replay needs at least one event file");
        }
        List<ReplayCommand.Input> inputs = new ArrayList<>();
        for (Path f : a.files) {
            inputs.add(new ReplayCommand.Input(f, readBytes(f)));
        }
        ReplayCommand.Result result = ReplayCommand.run(inputs, a.fileSystem, a.map, a.speed(100), out, wallStart);
        return result.ok() ? OK : FAILED;
    }

    private static int dashboard(Args a, PrintStream out, PrintStream err) {
        try {
            // The launcher runs from the repository's root, where template.yaml is.
            return dev.lustreha.sim.console.DashboardCommand.run(Path.of("template.yaml"), a.write, out, err);
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        }
    }

    private static StatusCommand.View view(Args a) throws Usage {
        if (!a.watch && (a.renders != null || a.interval != null)) {
            throw new Usage("--interval and --renders are options of status --watch");
        }
        return new StatusCommand.View(a.json, a.watch, a.renders == null ? 0 : a.renders,
                java.time.Duration.ofSeconds(a.interval == null ? 5 : a.interval));
    }

    private static int status(Args a, PrintStream out, PrintStream err, long wallStart) throws Usage {
        FileSystemName fs;
        try {
            fs = new FileSystemName(a.fileSystem);
        } catch (IllegalArgumentException e) {
            throw new Usage("--file-system: " + e.getMessage());
        }
        if (a.local) {
            if (a.rolesTable != null || a.resourcesTable != null || a.historyTable != null || a.region != null) {
                throw new Usage("status --local reads the local cloud's tables: no --roles-table, --resources-table, "
                        + "--history-table or --region");
            }
            return StatusCommand.local(fs, a.fault == null ? null : localFault(a.fault, fs), a.seed, a.speed(100),
                    view(a), out, err, wallStart);
        }
        if (a.fault != null || a.speed != null || a.seedGiven) {
            throw new Usage("--fault, --speed and --seed are options of status --local");
        }
        if (a.rolesTable == null || a.resourcesTable == null) {
            throw new Usage("status needs --roles-table and --resources-table (the stack's RolesTableName and "
                    + "ResourcesTableName outputs), or --local");
        }
        return StatusCommand.fromAccount(fs, new StatusCommand.Tables(a.rolesTable, a.resourcesTable, a.historyTable),
                a.region, view(a), out, err);
    }

    private static StatusCommand.LocalFault localFault(String value, FileSystemName fs) throws Usage {
        int colon = value.indexOf(':');
        String kind = colon < 0 ? value : value.substring(0, colon);
        String role = colon < 0 ? "" : value.substring(colon + 1);
        List<String> roles = StatusCommand.localSpec(fs).roles().stream().map(RoleId::value).toList();
        Scenario.Kind k = StatusCommand.LocalFault.KINDS.stream().filter(x -> x.wire.equals(kind)).findFirst()
                .orElse(null);
        if (k == null || !roles.contains(role)) {
            throw new Usage("--fault takes <terminate|stop|hang>:<role>, a role of " + String.join(", ", roles)
                    + ", e.g. terminate:oss02, not '" + value + "'");
        }
        return new StatusCommand.LocalFault(k, role);
    }

    static String read(Path file) throws Usage {
        return new String(readBytes(file), java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] readBytes(Path file) throws Usage {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Usage("no such file: " + file);
        } catch (IOException e) {
            throw new Usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** A command line that makes no sense. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    /** The parsed command line. */
    private static final class Args {
        String command;
        final List<Path> files = new ArrayList<>();
        /** The file arguments as typed, for a command line to print. */
        final List<String> typedFiles = new ArrayList<>();
        Path report;
        Path html;
        Double speed;
        Integer random;
        Integer threads;
        Path failures;
        LocalCloud.Engine engine;
        long seed = 7;
        boolean seedGiven;
        String fileSystem = "scratch";
        boolean local;
        boolean mgsOnMds;
        String fault;
        String role;
        String to;
        String rolesTable;
        String resourcesTable;
        String historyTable;
        String region;
        boolean json;
        boolean watch;
        Integer renders;
        Integer interval;
        boolean write;
        final Map<String, String> map = new LinkedHashMap<>();

        double speed(double fallback) {
            return speed == null ? fallback : speed;
        }

        static Args parse(String[] args) throws Usage {
            Args a = new Args();
            a.command = args[0];
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--report" -> a.report = resolve(value(args, ++i, arg));
                    case "--html" -> a.html = resolve(value(args, ++i, arg));
                    case "--speed" -> {
                        String v = value(args, ++i, arg);
                        try {
                            a.speed = Double.parseDouble(v);
                        } catch (NumberFormatException e) {
                            throw new Usage("--speed takes a number, not '" + v + "'");
                        }
                        if (!(a.speed > 0) || a.speed > 1000) {
                            throw new Usage("--speed must be above 0 and at most 1000, not " + v);
                        }
                    }
                    case "--seed" -> {
                        String v = value(args, ++i, arg);
                        try {
                            a.seed = Long.parseLong(v);
                            a.seedGiven = true;
                        } catch (NumberFormatException e) {
                            throw new Usage("--seed takes a whole number, not '" + v + "'");
                        }
                    }
                    case "--random" -> a.random = positive(value(args, ++i, arg), arg, 10_000_000);
                    case "--threads" -> a.threads = positive(value(args, ++i, arg), arg, 64);
                    case "--failures" -> a.failures = resolve(value(args, ++i, arg));
                    case "--engine" -> {
                        String v = value(args, ++i, arg);
                        a.engine = switch (v) {
                            case "in-jvm" -> LocalCloud.Engine.VIRTUAL;
                            case "asl" -> LocalCloud.Engine.ASL_ENGINE;
                            default -> throw new Usage("--engine takes in-jvm or asl, not '" + v + "'");
                        };
                    }
                    case "--file-system" -> a.fileSystem = value(args, ++i, arg);
                    case "--local" -> a.local = true;
                    case "--role" -> a.role = value(args, ++i, arg);
                    case "--to" -> a.to = value(args, ++i, arg);
                    case "--mgs-on-mds" -> a.mgsOnMds = true;
                    case "--fault" -> a.fault = value(args, ++i, arg);
                    case "--roles-table" -> a.rolesTable = value(args, ++i, arg);
                    case "--resources-table" -> a.resourcesTable = value(args, ++i, arg);
                    case "--history-table" -> a.historyTable = value(args, ++i, arg);
                    case "--region" -> a.region = value(args, ++i, arg);
                    case "--json" -> a.json = true;
                    case "--watch" -> a.watch = true;
                    case "--renders" -> a.renders = positive(value(args, ++i, arg), arg, 1_000_000);
                    case "--interval" -> a.interval = positive(value(args, ++i, arg), arg, 3600);
                    case "--write" -> a.write = true;
                    case "--map" -> {
                        String v = value(args, ++i, arg);
                        int eq = v.indexOf('=');
                        if (eq <= 0 || eq == v.length() - 1) {
                            throw new Usage("--map takes <instance-id>=<role>, e.g. i-0a1b2c3d4e5f60002=oss02, not '"
                                    + v + "'");
                        }
                        a.map.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    default -> {
                        if (arg.startsWith("--")) {
                            throw new Usage("unknown option " + arg);
                        }
                        a.files.add(resolve(arg));
                        a.typedFiles.add(arg);
                    }
                }
            }
            boolean files = List.of("replay", "simulate", "report").contains(a.command);
            if (!files && !a.files.isEmpty()) {
                throw new Usage(a.command + " takes no file arguments: " + a.files);
            }
            if ((a.random != null || a.engine != null || a.threads != null || a.failures != null)
                    && !a.command.equals("simulate")) {
                throw new Usage("--random, --engine, --threads and --failures are options of simulate");
            }
            if (a.report != null && !List.of("simulate", "demo").contains(a.command)) {
                throw new Usage("--report is an option of simulate and demo");
            }
            if (a.html != null && !List.of("simulate", "demo", "report").contains(a.command)) {
                throw new Usage("--html is an option of simulate, demo and report");
            }
            if (a.mgsOnMds && !a.command.equals("demo")) {
                throw new Usage("--mgs-on-mds is an option of demo (a scenario file says \"mgsOnMds\": true)");
            }
            if (!a.map.isEmpty() && !a.command.equals("replay")) {
                throw new Usage("--map is an option of replay");
            }
            boolean status = a.command.equals("status");
            if (!a.fileSystem.equals("scratch") && !a.command.equals("replay") && !status) {
                throw new Usage("--file-system is an option of replay and status");
            }
            boolean move = a.command.equals("move");
            if ((a.role != null || a.to != null) && !move) {
                throw new Usage("--role and --to are options of move");
            }
            if (!status && ((a.local && !move) || a.fault != null || a.rolesTable != null || a.resourcesTable != null
                    || a.historyTable != null || a.region != null)) {
                throw new Usage("--local, --fault, --roles-table, --resources-table, --history-table and --region "
                        + "are options of status");
            }
            if (!status && (a.json || a.watch || a.renders != null || a.interval != null)) {
                throw new Usage("--json, --watch, --interval and --renders are options of status");
            }
            if (a.write && !a.command.equals("dashboard")) {
                throw new Usage("--write is an option of dashboard");
            }
            return a;
        }

        private static int positive(String v, String option, int max) throws Usage {
            try {
                int n = Integer.parseInt(v);
                if (n >= 1 && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // the message below says what is expected
            }
            throw new Usage(option + " takes a whole number from 1 to " + max + ", not '" + v + "'");
        }

        private static String value(String[] args, int i, String option) throws Usage {
            if (i >= args.length) {
                throw new Usage(option + " needs a value");
            }
            return args[i];
        }

        private static Path resolve(String path) {
            String cwd = System.getProperty(CWD_PROPERTY);
            return cwd == null ? Path.of(path) : Path.of(cwd).resolve(path);
        }
    }
}
