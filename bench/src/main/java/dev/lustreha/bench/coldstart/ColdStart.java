package dev.lustreha.bench.coldstart;

import dev.lustreha.bench.coldstart.LocalCloud.World;
import dev.lustreha.bench.coldstart.Results.Row;
import dev.lustreha.bench.coldstart.Results.Run;
import dev.lustreha.local.Repository;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cold-start proxy benchmark: for each handler, fresh JVMs run {@link Driver} on the
 * deployment artifact against the local cloud, ours and the unoptimised baseline in turn, and the
 * medians are compared with the issue's goals. It prints numbers; it is not a test.
 *
 * <pre>
 * ColdStart [--runs N] [--out results.md] [--only Claim,Fence] [--artifact DIR | --artifact-classpath CP]
 *           [--jvm-arg ARG]...
 * </pre>
 *
 * <p>The artifact is a classpath: by default {@code .aws-sam/build/<Function>} (a directory of
 * classes with {@code lib/*.jar}) when {@code sam build} made one, else
 * {@code functions/target/classes} plus the jars listed in
 * {@code functions/target/runtime-classpath.txt} (what {@code bench/run.sh} builds); {@code
 * --artifact DIR} takes any directory of that layout. The baseline adds
 * {@code bench/target/baseline-lib} (the Apache and enhanced clients). The driver's own classes come
 * from {@code bench/target/classes}.
 */
public final class ColdStart {

    /** The JVM flags of Lambda's java21 runtime (tiered compilation stopped at C1, serial GC, default CDS), 1024 MB. */
    static final List<String> LAMBDA_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx870m");

    private static final Pattern TIMES = Pattern.compile("TIMES jvm=(-?\\d+) init=(\\d+) invoke=(\\d+)");
    private static final long RUN_TIMEOUT_SECONDS = 120;

    private ColdStart() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Path repo = Repository.root();
        Path work = repo.resolve("bench/target/cold-start");
        Files.createDirectories(work);
        Path bench = repo.resolve("bench/target");
        String driver = bench.resolve("classes").toString();
        List<String> baselineExtra = jars(bench.resolve("baseline-lib"));
        if (baselineExtra.isEmpty()) {
            throw new IllegalStateException("no jars in " + bench.resolve("baseline-lib") + ": build the bench module");
        }
        List<Case> cases = Case.all().stream().filter(c -> o.only.isEmpty() || o.only.contains(c.function())).toList();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String load0 = loadAverage();

        Map<Case, List<Run>> ours = new LinkedHashMap<>();
        Map<Case, List<Run>> baseline = new LinkedHashMap<>();
        Map<Case, String> artifacts = new LinkedHashMap<>();
        try (LocalCloud cloud = LocalCloud.start(repo, work)) {
            Events events = new Events(repo);
            for (int i = 0; i < o.runs; i++) {
                for (Case c : cases) {
                    List<String> artifact = o.artifact(repo, c);
                    artifacts.put(c, String.join(File.pathSeparator, artifact));
                    // Alternate which goes first, so a drift in the machine's load favours neither.
                    for (boolean ourTurn : i % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                        World world = cloud.seed(c.stage());
                        Path event = work.resolve(c.function() + ".json");
                        Files.write(event, c.event().make(world, events, cloud.cloudFormationResponseUrl()));
                        List<String> cp = new ArrayList<>();
                        cp.add(driver);
                        if (ourTurn) {
                            cp.addAll(artifact);
                        } else {
                            // The unoptimised baseline is packaged the plain way too: classes and every jar whole.
                            cp.addAll(o.unshrunk(repo));
                            cp.addAll(baselineExtra);
                        }
                        Run run = spawn(java, o.jvmArgs, cp, ourTurn ? "ours" : "baseline", c, event,
                                environment(cloud, world), work);
                        (ourTurn ? ours : baseline).computeIfAbsent(c, k -> new ArrayList<>()).add(run);
                        System.out.printf("run %d/%d %-19s %-8s %5d ms  %s%n", i + 1, o.runs, c.function(),
                                ourTurn ? "ours" : "baseline", run.totalMs(), abbreviate(run.outcome(), 90));
                    }
                }
            }
            System.out.printf("(the Auto Scaling shim answered %d lifecycle-action calls; CloudFormation got %d answers)%n",
                    cloud.shim().answered(), cloud.shim().cloudFormationAnswers());
        }

        List<Row> rows = cases.stream().map(c -> new Row(c, ours.get(c), baseline.get(c))).toList();
        String conditions = conditions(o, java, load0, loadAverage(), artifacts);
        System.out.println();
        System.out.println(Results.text(rows));
        System.out.println();
        System.out.println(conditions);
        if (o.out != null) {
            Files.writeString(o.out, Results.markdown(rows, conditions));
            System.out.println("markdown written to " + o.out);
        }
        // DynamoDB Local's background job threads outlive its stop(), and would keep this JVM alive.
        System.exit(0);
    }

    /** What a Lambda execution environment sets, with the local endpoints and dummy credentials. */
    private static Map<String, String> environment(LocalCloud cloud, World w) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("TZ", ":UTC");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        // DynamoDB Local keeps one database per access key: the tables are made by
        // DynamoDbLocal.newClient(), whose key is "local".
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "bench/bench/bench/bench/bench/bench/bench0");
        env.put("AWS_SESSION_TOKEN", "bench-session-token");
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        // No shared AWS config of the user: a Lambda environment has none.
        env.put("AWS_CONFIG_FILE", "/nonexistent/aws-config");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
        env.put("HOME", "/tmp");
        env.putAll(cloud.endpointVariables());
        env.put("FILE_SYSTEM_NAME", LocalCloud.FILE_SYSTEM);
        env.put("ROLES_TABLE", "RolesTable");
        env.put("RESOURCES_TABLE", "ResourcesTable");
        env.put("HISTORY_TABLE", "HistoryTable");
        env.put("ROLE_GROUPS", "MGS=scratch-mgs;MDS=scratch-mds;OSS=" + LocalCloud.OSS_GROUP);
        env.put("LAUNCH_HOOK_NAME", "lustre-ha-launch");
        env.put("TERMINATE_HOOK_NAME", "lustre-ha-terminate");
        env.put("HANDOVER_STATE_MACHINE_ARN", w.handoverArn());
        env.put("RELEASE_STATE_MACHINE_ARN", w.releaseArn());
        return env;
    }

    private static Run spawn(String java, List<String> jvmArgs, List<String> classpath, String mode, Case c, Path event,
            Map<String, String> env, Path work) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(LAMBDA_FLAGS);
        cmd.addAll(jvmArgs);
        long spawnEpoch = System.currentTimeMillis();
        cmd.add("-Dbench.spawnEpochMillis=" + spawnEpoch);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath));
        cmd.add(Driver.class.getName());
        cmd.add(mode);
        cmd.add(c.handlerClass());
        cmd.add(event.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(work.resolve(c.function() + "-" + mode + ".log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);

        long t0 = System.nanoTime();
        Process p = pb.start();
        long total = -1;
        String outcome = "no response";
        long jvm = -1;
        long init = -1;
        long invoke = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (total < 0 && line.startsWith("RESPONSE ")) {
                    total = (System.nanoTime() - t0) / 1_000_000;
                    outcome = line.substring("RESPONSE ".length());
                }
                Matcher m = TIMES.matcher(line);
                if (m.find()) {
                    jvm = Long.parseLong(m.group(1));
                    init = Long.parseLong(m.group(2));
                    invoke = Long.parseLong(m.group(3));
                }
            }
        }
        if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (total < 0) {
            throw new IllegalStateException(c.function() + " (" + mode + ") gave no response; exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + "; see " + work.resolve(c.function() + "-" + mode + ".log"));
        }
        return new Run(total, jvm, init, invoke, summary(outcome));
    }

    /**
     * What a handler answered, in a few words: "ok" or "error <class>", then the fields that say what
     * it did (a trigger's action, a step's claim, fence, detach, attach and outcome, the reconciler's
     * actions, CloudFormation's status), with the run's own ids and times left out so runs compare.
     */
    static String summary(String response) {
        int space = response.indexOf(' ', response.startsWith("error ") ? 6 : 0);
        String status = space < 0 ? response : response.substring(0, space);
        String body = space < 0 ? "" : response.substring(space + 1);
        List<String> parts = new ArrayList<>();
        try {
            com.fasterxml.jackson.databind.JsonNode n = dev.lustreha.config.Json.MAPPER.readTree(body);
            for (String path : List.of("/action", "/claim/outcome", "/claim/epoch", "/fence/fenced", "/detach/done",
                    "/attach/done", "/outcome", "/alarms", "/failures")) {
                if (!n.at(path).isMissingNode() && !n.at(path).isNull()) {
                    parts.add(path.substring(1) + "=" + n.at(path).asText());
                }
            }
            n.path("actions").forEach(a -> parts.add(a.path("action").asText() + ":" + a.path("result").asText()));
        } catch (IOException | RuntimeException notJson) {
            int st = body.indexOf("Status = ");
            if (st >= 0) {
                parts.add(body.substring(st, body.indexOf(',', st)));
            } else if (!body.isBlank()) {
                parts.add(body.replaceAll("i-[0-9a-f]+|vol-[0-9a-f]+|eni-[0-9a-f]+", "…"));
            }
        }
        return status + (parts.isEmpty() ? "" : " " + String.join(", ", parts));
    }

    private static String conditions(Options o, String java, String load0, String load1, Map<Case, String> artifacts) {
        StringBuilder s = new StringBuilder();
        s.append("Measured by `bench/run.sh cold-start`: ").append(o.runs).append(" runs per handler and variant")
                .append(o.runs < 5 ? " (fewer than 5: a smoke run, not the issue's measurement)" : "")
                .append(", ours and baseline alternating; each run a fresh JVM (`").append(java).append("`, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append(") with `").append(String.join(" ", LAMBDA_FLAGS)).append(o.jvmArgs.isEmpty() ? "" : " ")
                .append(String.join(" ", o.jvmArgs)).append("`, timed from spawning the process to the handler's "
                + "response line. Local cloud: DynamoDB Local (in the launcher's JVM), moto_server (EC2, Auto Scaling, "
                + "Step Functions) over plain HTTP on 127.0.0.1, so no TLS handshake is in these numbers. Machine: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, load average ").append(load0)
                .append(" at the start, ").append(load1).append(" at the end. Goals: median ≤ ")
                .append(Results.MAX_MEDIAN_MS).append(" ms and ≤ ").append(Results.MAX_RATIO).append(" × the baseline's.");
        Set<String> distinct = new java.util.LinkedHashSet<>(artifacts.values());
        s.append(" Artifact: ").append(distinct.size() == 1 ? describe(distinct.iterator().next())
                : distinct.size() + " per-function classpaths (.aws-sam/build)").append('.');
        return s.toString();
    }

    private static String describe(String classpath) {
        String[] parts = classpath.split(File.pathSeparator);
        return "`" + parts[0] + "` and " + (parts.length - 1) + " jars";
    }

    private static String loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.2f", l);
    }

    static List<String> jars(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().map(Path::toString).toList();
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static final class Options {
        int runs = 5;
        Path out;
        Set<String> only = Set.of();
        Path artifactDir;
        String artifactClasspath;
        List<String> jvmArgs = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--runs" -> o.runs = Integer.parseInt(require(a, v));
                    case "--out" -> o.out = Path.of(require(a, v)).toAbsolutePath();
                    case "--only" -> o.only = Set.of(require(a, v).split(","));
                    case "--artifact" -> o.artifactDir = Path.of(require(a, v)).toAbsolutePath();
                    case "--artifact-classpath" -> o.artifactClasspath = require(a, v);
                    case "--jvm-arg" -> o.jvmArgs.add(require(a, v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                i++;
            }
            if (o.runs < 1) {
                throw new IllegalArgumentException("--runs must be at least 1");
            }
            return o;
        }

        private static String require(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }

        /** The deployment artifact of this case's function, as classpath entries. */
        List<String> artifact(Path repo, Case c) throws IOException {
            if (artifactClasspath != null) {
                return List.of(artifactClasspath.split(File.pathSeparator));
            }
            Path dir = artifactDir;
            if (dir == null) {
                Path sam = repo.resolve(".aws-sam/build/" + c.function() + "Function");
                if (Files.isDirectory(sam)) {
                    dir = sam;
                }
            }
            if (dir != null) {
                List<String> cp = new ArrayList<>();
                cp.add(dir.toString());
                cp.addAll(jars(dir.resolve("lib")));
                return cp;
            }
            Path shrunk = repo.resolve("functions/target/lustre-ha-functions-lambda.jar");
            if (Files.isRegularFile(shrunk)) {
                // What sam build puts in every function's lib/ (functions/Makefile).
                return List.of(shrunk.toString());
            }
            return unshrunk(repo);
        }

        /** The functions' classes and their runtime jars, whole: how the baseline is packaged. */
        List<String> unshrunk(Path repo) throws IOException {
            Path classes = repo.resolve("functions/target/classes");
            Path listed = repo.resolve("functions/target/runtime-classpath.txt");
            if (!Files.isDirectory(classes) || !Files.isRegularFile(listed)) {
                throw new IllegalStateException("no artifact: build it with bench/run.sh, or pass --artifact DIR");
            }
            List<String> cp = new ArrayList<>();
            cp.add(classes.toString());
            for (String jar : Files.readString(listed).trim().split(File.pathSeparator)) {
                if (!jar.isBlank()) {
                    cp.add(jar);
                }
            }
            return cp;
        }
    }
}
