package dev.lustreha.sim.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./lustre-ha demo | replay | simulate}: lustre-ha's production handlers and state machines on
 * the local cloud, from the command line. Exit codes: 0 when everything held, 1 when an invariant
 * broke or an expectation was missed (or the run itself failed), 2 for invalid input (a bad
 * scenario, a missing file, unknown options).
 */
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;

    /** Where relative paths on the command line start: the launcher passes the user's directory. */
    static final String CWD_PROPERTY = "lustre-ha.cwd";

    private static final String USAGE = """
            usage: ./lustre-ha demo [--speed N] [--seed N]
                   ./lustre-ha replay [--file-system NAME] [--map <instance-id>=<role>]... [--speed N]
                                      <event.json>...
                   ./lustre-ha simulate <scenario.json> [--report <out.json>] [--speed N]

              demo      a local cloud with a small Lustre file system: first boot, an OSS server
                        terminated, an MDS server that hangs; every handover shown live
              replay    feeds EventBridge events (events/*.json, or ones captured from your account)
                        to the triggers on the local cloud and runs the workflows they start
              simulate  runs a scenario file (faults at virtual times, expectations), prints a
                        timeline, writes a JSON report; exit 0 ok, 1 not ok, 2 invalid scenario

              --speed N        virtual seconds per wall second (demo: 20, replay and simulate: 100)
              --file-system    the local file system's name, so events of your groups (<name>-oss...) match
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
                case "demo" -> DemoCommand.run(a.speed(DemoCommand.SPEED), a.seed, out, wallStart);
                case "replay" -> replay(a, out, wallStart);
                case "simulate" -> simulate(a, out, err, wallStart);
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

    private static int simulate(Args a, PrintStream out, PrintStream err, long wallStart) throws Usage {
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
        Report report = SimulateCommand.run(scenario, a.speed(100), out, wallStart);
        if (a.report != null) {
            report.write(a.report);
            out.println("report: " + a.report);
        }
        return report.ok() ? OK : FAILED;
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
        Path report;
        Double speed;
        long seed = 7;
        String fileSystem = "scratch";
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
                        } catch (NumberFormatException e) {
                            throw new Usage("--seed takes a whole number, not '" + v + "'");
                        }
                    }
                    case "--file-system" -> a.fileSystem = value(args, ++i, arg);
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
                    }
                }
            }
            boolean files = a.command.equals("replay") || a.command.equals("simulate");
            if (!files && !a.files.isEmpty()) {
                throw new Usage(a.command + " takes no file arguments: " + a.files);
            }
            if (a.report != null && !a.command.equals("simulate")) {
                throw new Usage("--report is an option of simulate");
            }
            if ((!a.map.isEmpty() || !a.fileSystem.equals("scratch")) && !a.command.equals("replay")) {
                throw new Usage("--map and --file-system are options of replay");
            }
            return a;
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
