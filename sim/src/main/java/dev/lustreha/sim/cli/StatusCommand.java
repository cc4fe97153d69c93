package dev.lustreha.sim.cli;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.history.DynamoHandoverHistory;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.history.HandoverRecord;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.roles.DynamoRoleStore;
import dev.lustreha.roles.RoleStore;
import dev.lustreha.sim.FileSystemSpec;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.steps.HandoverState;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * {@code ./lustre-ha status}: the roles of a file system as the stack's tables hold them, each
 * role's last handover, and the client mount command. Read only: Query and GetItem on the tables,
 * nothing else. Two sources, one code path: an AWS account's tables (the default credential and
 * region chains), or {@code --local}, a local cloud started here whose DynamoDB Local tables are
 * read through the same production adapters.
 */
final class StatusCommand {

    /** Reads of each role's last handover at once: one Query each. */
    private static final int PARALLEL_READS = 8;
    private static final Duration BOOT_LIMIT = Duration.ofMinutes(30);
    private static final Duration QUIET_LIMIT = Duration.ofMinutes(15);

    /**
     * The stack's tables, by physical name (its RolesTableName, ResourcesTableName and
     * HistoryTableName outputs).
     *
     * @param history null when not given: the last handovers are then unknown
     */
    record Tables(String roles, String resources, String history) {
    }

    /** A fault {@code status --local} injects once the file system first serves. */
    record LocalFault(Scenario.Kind kind, String role) {

        /** The faults that hit one role's server at one moment. */
        static final Set<Scenario.Kind> KINDS = Set.of(Scenario.Kind.TERMINATE, Scenario.Kind.STOP, Scenario.Kind.HANG);
    }

    /**
     * How the status is shown: as text or as {@link StatusJson}; once, or again every
     * {@code interval} until interrupted ({@code --watch}), or {@code renders} times in all.
     *
     * @param renders how many times to read and show; 0 for until interrupted
     */
    record View(boolean json, boolean watch, int renders, Duration interval) {

        static final View ONCE = new View(false, false, 1, Duration.ZERO);

        int times() {
            return watch ? renders : 1;
        }
    }

    /** A failure that ends the command with one line on standard error and exit code 1. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private StatusCommand() {
    }

    // ---------------------------------------------------------------- an AWS account

    /** Reads an account's tables with the SDK's default credential chain and, without {@code region}, its region chain. */
    static int fromAccount(FileSystemName fs, Tables tables, String region, View view, PrintStream out,
            PrintStream err) {
        try (DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build()) {
            return fromAccount(fs, tables, region, credentials, null, view, out, err);
        }
    }

    /** As {@link #fromAccount(FileSystemName, Tables, String, PrintStream, PrintStream)}, with the given credentials and endpoint. */
    static int fromAccount(FileSystemName fs, Tables tables, String region, AwsCredentialsProvider credentials,
            URI endpoint, PrintStream out, PrintStream err) {
        return fromAccount(fs, tables, region, credentials, endpoint, View.ONCE, out, err);
    }

    static int fromAccount(FileSystemName fs, Tables tables, String region, AwsCredentialsProvider credentials,
            URI endpoint, View view, PrintStream out, PrintStream err) {
        quietLogging();
        Region r;
        try {
            r = region != null ? Region.of(region) : new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException | IllegalArgumentException e) {
            err.println("error: no AWS region: pass --region, or set AWS_REGION or a region in your AWS profile");
            return Main.FAILED;
        }
        DynamoDbClientBuilder builder = DynamoDbClient.builder().region(r).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        try (DynamoDbClient dynamo = builder.build()) {
            return watch(view, () -> Instant.now(), now -> read(dynamo, tables, r.id(), fs, now, view.json()), out,
                    err);
        } catch (RuntimeException e) {
            // Building the client (an unusable region, say): as one line, like every other failure.
            err.println("error: " + describe(e, tables.roles(), r.id()));
            return Main.FAILED;
        }
    }

    /**
     * The SDK logs through SLF4J, which finds no binding on this classpath and says so in three
     * lines on standard error when it starts: it starts here, with standard error set aside, so
     * that a failure is the one line this command prints.
     */
    private static void quietLogging() {
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        try {
            LoggerFactory.getILoggerFactory();
        } finally {
            System.setErr(stderr);
        }
    }

    /**
     * Reads the tables through the production adapters and prints the status; on a failure prints
     * one line on {@code err} and returns 1.
     *
     * @param region where the tables are, for the header and the messages
     */
    static int fromTables(DynamoDbClient dynamo, Tables tables, String region, FileSystemName fs, Instant now,
            PrintStream out, PrintStream err) {
        return watch(View.ONCE, () -> now, t -> read(dynamo, tables, region, fs, t, false), out, err);
    }

    /** One read of the tables, as text or JSON. */
    interface Read {
        String at(Instant now) throws Failure;
    }

    /**
     * Shows {@code read} {@link View#times()} times (0: until interrupted), {@link View#interval()}
     * apart; the text form of a watch starts each render on a cleared terminal screen, the JSON form
     * writes one document after the other. A failed read ends the watch with exit code 1.
     */
    static int watch(View view, java.util.function.Supplier<Instant> clock, Read read, PrintStream out,
            PrintStream err) {
        for (int i = 0; view.times() == 0 || i < view.times(); i++) {
            if (i > 0) {
                try {
                    Thread.sleep(view.interval().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Main.OK;
                }
            }
            String shown;
            try {
                shown = read.at(clock.get());
            } catch (Failure f) {
                err.println("error: " + f.getMessage());
                return Main.FAILED;
            }
            if (view.watch() && !view.json()) {
                // ANSI: cursor home, clear the screen; then when this render was made and how to stop.
                out.print("\u001b[H\u001b[2J");
                out.println("lustre-ha status --watch: render " + (i + 1) + ", every " + view.interval().toSeconds()
                        + " s; Ctrl-C stops");
            }
            out.print(shown);
            out.flush();
        }
        return Main.OK;
    }

    static String read(DynamoDbClient dynamo, Tables tables, String region, FileSystemName fs, Instant now)
            throws Failure {
        return read(dynamo, tables, region, fs, now, false);
    }

    static String read(DynamoDbClient dynamo, Tables tables, String region, FileSystemName fs, Instant now,
            boolean json) throws Failure {
        // Reads only: the clock stamps writes, and this store makes none.
        RoleStore store = new DynamoRoleStore(dynamo, tables.roles(), tables.resources(), Clock.systemUTC());
        List<Role> roles;
        try {
            roles = store.list(fs);
        } catch (RuntimeException e) {
            throw new Failure(describe(e, tables.roles(), region));
        }
        List<RoleResources> resources;
        try {
            resources = store.resources(fs);
        } catch (RuntimeException e) {
            throw new Failure(describe(e, tables.resources(), region));
        }
        if (roles.isEmpty() && resources.isEmpty()) {
            throw new Failure("no roles of file system '" + fs + "' in table " + tables.roles() + " (" + region
                    + "): is --file-system the stack's FileSystemName?");
        }
        StatusView.Handovers handovers;
        if (tables.history() == null) {
            handovers = StatusView.Handovers.unknown("no --history-table given; the stack's HistoryTableName output "
                    + "names it");
        } else {
            Set<RoleId> ids = new TreeSet<>();
            roles.forEach(x -> ids.add(x.id()));
            resources.forEach(x -> ids.add(x.role().id()));
            handovers = StatusView.Handovers.of(latest(new DynamoHandoverHistory(dynamo, tables.history()), fs, ids,
                    tables.history(), region));
        }
        String where = "tables " + tables.roles() + ", " + tables.resources()
                + (tables.history() == null ? "" : " and " + tables.history()) + " in " + region;
        return json ? StatusJson.render(fs, where, now, roles, resources, handovers)
                : StatusView.render(fs, where, now, roles, resources, handovers);
    }

    /** Each role's newest handover record, a few Queries at a time. */
    private static Map<RoleId, HandoverRecord> latest(HandoverHistory history, FileSystemName fs, Set<RoleId> ids,
            String table, String region) throws Failure {
        Map<RoleId, HandoverRecord> out = new TreeMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_READS, ids.size())))) {
            Map<RoleId, Future<Optional<HandoverRecord>>> reads = new TreeMap<>();
            for (RoleId id : ids) {
                reads.put(id, pool.submit(() -> history.latest(fs, id)));
            }
            for (Map.Entry<RoleId, Future<Optional<HandoverRecord>>> e : reads.entrySet()) {
                try {
                    e.getValue().get().ifPresent(r -> out.put(e.getKey(), r));
                } catch (ExecutionException failed) {
                    throw new Failure(describe(failed.getCause(), table, region));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new Failure("interrupted while reading " + table);
                }
            }
        }
        return out;
    }

    /**
     * One line that says what went wrong reading {@code table} and what to do about it: no
     * credentials, credentials refused, access denied, no such table, no network.
     */
    static String describe(Throwable failure, String table, String region) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException e && e.awsErrorDetails() != null) {
                String code = e.awsErrorDetails().errorCode();
                String message = oneLine(e.awsErrorDetails().errorMessage());
                return switch (code == null ? "" : code) {
                    case "ResourceNotFoundException" -> "table " + table + " not found in " + region + ": give the "
                            + "stack's RolesTableName, ResourcesTableName and HistoryTableName outputs (and --region)";
                    case "AccessDeniedException" -> "access denied reading table " + table + ": " + message;
                    case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
                            "InvalidClientTokenId" -> "AWS refused the credentials (" + code + "): " + message;
                    default -> "cannot read table " + table + " in " + region + ": " + code + ": " + message;
                };
            }
            if (t instanceof SdkClientException e) {
                String message = oneLine(e.getMessage());
                if (message.startsWith("Unable to load credentials")) {
                    return "no AWS credentials: the default chain found none (AWS_ACCESS_KEY_ID and "
                            + "AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws, SSO, a container or instance role); "
                            + "configure some, e.g. with `aws configure` or `aws sso login`";
                }
                return "cannot reach DynamoDB in " + region + " to read table " + table + ": " + message;
            }
        }
        return "cannot read table " + table + " in " + region + ": " + oneLine(String.valueOf(failure.getMessage()));
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    // ---------------------------------------------------------------- the local cloud

    /**
     * Starts the local cloud with the demo's file system, waits until every role serves, injects
     * {@code fault} (if any) and waits until every role serves again and the workflows are done, then
     * prints the status read from the local cloud's tables as from an account's.
     */
    static int local(FileSystemName name, LocalFault fault, long seed, double speed, PrintStream out, PrintStream err,
            long wallStart) {
        return local(name, fault, seed, speed, View.ONCE, out, err, wallStart);
    }

    /** As above; with {@code --json} the progress lines go to standard error, so standard output is the document. */
    static int local(FileSystemName name, LocalFault fault, long seed, double speed, View view, PrintStream stdout,
            PrintStream err, long wallStart) {
        PrintStream out = view.json() ? err : stdout;
        FileSystemSpec spec = localSpec(name);
        out.println("lustre-ha status on a local cloud: file system " + name + " (mgs, mds01, oss01-oss04, two disks "
                + "per OSS) starts here, with no AWS account; virtual time runs " + Format.number(speed)
                + "x the wall clock.");
        LocalCloud.Options options = new LocalCloud.Options(seed, Latency.aws(), speed, HandoverState.Poll.defaults(),
                true).withReconciler(CloudRun.RECONCILE_EVERY);
        try (CloudRun run = CloudRun.start(spec, options, out, wallStart)) {
            if (!run.awaitServing(BOOT_LIMIT)) {
                progress(run, out, "the first boot did not complete within " + BOOT_LIMIT.toMinutes()
                        + " virtual minutes");
                out.println();
                show(run, out, err);
                return Main.FAILED;
            }
            progress(run, out, "first boot done: every role serving");
            if (fault != null) {
                Scenario.Fault f = new Scenario.Fault(0, fault.kind(), fault.role(), 0);
                SimulateCommand.Injected injected = SimulateCommand.inject(run, spec, f);
                if (injected.problem() != null) {
                    progress(run, out, "fault " + f.describe() + " NOT APPLIED: " + injected.problem());
                    return Main.FAILED;
                }
                progress(run, out, "fault: " + f.describe() + " (its server " + injected.target() + ")");
                if (!run.awaitServing(BOOT_LIMIT)) {
                    progress(run, out, fault.role() + " was not served again within " + BOOT_LIMIT.toMinutes()
                            + " virtual minutes");
                    out.println();
                    show(run, out, err);
                    return Main.FAILED;
                }
                progress(run, out, "every role serving again");
            }
            // Until every workflow has ended, so the last handovers are all recorded.
            run.awaitQuiet(QUIET_LIMIT);
            out.println();
            return watch(view, run::now, now -> read(run.cloud.dynamo(), LOCAL_TABLES, LOCAL_REGION,
                    run.cloud.spec().name(), now, view.json()), stdout, err);
        }
    }

    private static final Tables LOCAL_TABLES = new Tables("RolesTable", "ResourcesTable", "HistoryTable");
    private static final String LOCAL_REGION = "the local cloud's DynamoDB Local";

    private static int show(CloudRun run, PrintStream out, PrintStream err) {
        return fromTables(run.cloud.dynamo(), LOCAL_TABLES, LOCAL_REGION, run.cloud.spec().name(), run.now(), out, err);
    }

    private static void progress(CloudRun run, PrintStream out, String what) {
        out.printf(Locale.ROOT, "[ t+%6.1fs | wall %5.1fs ] %s%n", run.virtualSeconds(), run.wallSeconds(), what);
    }

    /** The local file system: the demo's. */
    static FileSystemSpec localSpec(FileSystemName name) {
        return new FileSystemSpec(name, "us-east-1a", 1, 4, 2, 0);
    }
}
