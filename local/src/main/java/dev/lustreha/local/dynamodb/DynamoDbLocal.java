package dev.lustreha.local.dynamodb;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;

/**
 * Amazon's DynamoDB Local, in this JVM, in memory, serving HTTP on a free port that clients reach
 * through 127.0.0.1 only.
 *
 * <p>DynamoDB Local has no option to choose its listening address; its Jetty listens on every
 * interface of the chosen port. Nothing here ever sends to an address other than loopback.
 */
public final class DynamoDbLocal implements AutoCloseable {

    /** Where sqlite4java looks for its JNI library; the Maven build copies the libraries there. */
    public static final String NATIVE_LIBRARY_PROPERTY = "sqlite4java.library.path";

    private final DynamoDBProxyServer server;
    private final URI endpoint;

    private DynamoDbLocal(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
    }

    /** Starts an empty in-memory instance. */
    public static DynamoDbLocal start() {
        checkNativeLibraries();
        int port = freeLoopbackPort();
        try {
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                    new String[] {"-inMemory", "-port", Integer.toString(port), "-disableTelemetry"});
            server.start();
            return new DynamoDbLocal(server, port);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on port " + port, e);
        }
    }

    /** Starts an instance holding the tables that {@code template} declares, named by logical id. */
    public static DynamoDbLocal startWithTables(Path template) {
        return startWithTables(template, true);
    }

    /**
     * Starts an instance holding the template's tables.
     *
     * @param timeToLive whether to turn on the tables' TTL. DynamoDB Local sweeps expired items against
     *     the wall clock, so a run whose items are stamped with virtual time (the local cloud starts
     *     in 2026-01-01) must leave it off, or its records vanish while it runs.
     */
    public static DynamoDbLocal startWithTables(Path template, boolean timeToLive) {
        DynamoDbLocal local = start();
        try (DynamoDbClient client = local.newClient()) {
            createTables(client, template, timeToLive);
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
        return local;
    }

    /**
     * An in-memory instance with the template's tables (no TTL), reached without HTTP: the client
     * calls the engine in the caller's thread. What a deterministic simulation uses, where every call
     * must happen on the simulation's one thread and a run must cost little to start.
     */
    public static AmazonDynamoDBLocal embeddedWithTables(Path template) {
        checkNativeLibraries();
        // The argument is "disable telemetry": with false, DynamoDB Local would try to report to AWS.
        AmazonDynamoDBLocal local = DynamoDBEmbedded.create(true);
        try {
            createTables(local.dynamoDbClient(), template, false);
        } catch (RuntimeException e) {
            local.shutdownNow();
            throw e;
        }
        return local;
    }

    private static void createTables(DynamoDbClient client, Path template, boolean timeToLive) {
        for (TableDefinition table : TableDefinition.fromTemplate(template)) {
            client.createTable(table.create());
            table.timeToLive().filter(ttl -> timeToLive).ifPresent(ttl -> client.updateTimeToLive(
                    UpdateTimeToLiveRequest.builder()
                    .tableName(table.name())
                    .timeToLiveSpecification(ttl)
                    .build()));
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client for this instance; the caller closes it. Credentials and region are dummies. */
    public DynamoDbClient newClient() {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)))
                .build();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop", e);
        }
    }

    private static void checkNativeLibraries() {
        String dir = System.getProperty(NATIVE_LIBRARY_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException("DynamoDB Local needs its SQLite JNI libraries: run through Maven "
                    + "(which copies them to target/native-libs) or set -D" + NATIVE_LIBRARY_PROPERTY + "=<dir>");
        }
        try (var files = Files.list(Path.of(dir))) {
            List<Path> libs = files.filter(f -> f.getFileName().toString().startsWith("libsqlite4java")).toList();
            if (libs.isEmpty()) {
                throw new IllegalStateException("no libsqlite4java library in " + dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + NATIVE_LIBRARY_PROPERTY + "=" + dir, e);
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}
