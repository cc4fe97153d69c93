package dev.lustreha.local.ec2;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lustreha.local.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A {@code moto_server} from the repository's {@code .venv}, on 127.0.0.1 and a free port, kept
 * offline: dummy credentials, no instance metadata, no AWS configuration of the user, and every
 * proxy variable pointed at a closed loopback port so that an outbound call would fail at once
 * instead of leaving the machine. Closing it ends the process and its children.
 */
final class MotoServer implements AutoCloseable {

    /** A busy 2-core machine imports moto in a few seconds; allow far more, but never hang. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final String HOST = "127.0.0.1";

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private MotoServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The moto_server of {@code <repo>/.venv}; fails (never skips) when the venv lacks it. */
    static Path executable() {
        Path root = Repository.root();
        Path exe = root.resolve(".venv/bin/moto_server");
        if (!Files.isExecutable(exe)) {
            fail("moto_server not found at " + exe + ": run `./lustre-ha test` in " + root
                    + " (it creates .venv with the pinned Python tools of tools/requirements.txt, moto included)");
        }
        return exe;
    }

    static MotoServer start() throws IOException, InterruptedException {
        Path exe = executable();
        Path logDir = Path.of(System.getProperty("user.dir"), "target");
        Files.createDirectories(logDir);
        Path log = logDir.resolve("moto_server.log");
        IOException lastBindFailure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            // The port is free now; another process could take it before moto binds, hence the retry.
            int port = freePort();
            ProcessBuilder pb = new ProcessBuilder(exe.toString(), "-H", HOST, "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            offline(pb.environment(), logDir);
            long t0 = System.nanoTime();
            Process p = pb.start();
            MotoServer server = new MotoServer(p, port, log);
            try {
                server.awaitReady();
                System.out.printf("moto_server answered on %s after %d ms (log: %s)%n", server.endpoint(),
                        (System.nanoTime() - t0) / 1_000_000, log);
                return server;
            } catch (IOException e) {
                server.close();
                lastBindFailure = e;
            }
        }
        throw lastBindFailure;
    }

    /** Keeps moto and anything it might call away from AWS, the metadata service and the user's AWS setup. */
    private static void offline(Map<String, String> env, Path scratch) {
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("MOTO_") || k.equalsIgnoreCase("http_proxy")
                || k.equalsIgnoreCase("https_proxy") || k.equalsIgnoreCase("all_proxy") || k.equalsIgnoreCase("no_proxy"));
        env.put("AWS_ACCESS_KEY_ID", "testing");
        env.put("AWS_SECRET_ACCESS_KEY", "testing");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        Path none = scratch.resolve("no-aws-config");
        env.put("AWS_CONFIG_FILE", none.toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", none.toString());
        // Nothing listens on port 9 of loopback: any outbound HTTP(S) attempt fails at once, locally.
        for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")) {
            env.put(k, "http://127.0.0.1:9");
        }
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        env.put("PYTHONUNBUFFERED", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /** Polls moto's own API until it answers; a process that exits early is reported with its log. */
    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        URI probe = URI.create(endpoint() + "/moto-api/");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String out = tail();
                if (out.contains("Address already in use")) {
                    throw new IOException("port " + port + " was taken: " + out);
                }
                fail("moto_server exited with " + process.exitValue() + " before answering; its log (" + log + "):\n"
                        + out);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).GET()
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        fail("moto_server did not answer on " + endpoint() + " within " + STARTUP_TIMEOUT.toSeconds()
                + " s; its log (" + log + "):\n" + tail());
    }

    String endpoint() {
        return "http://" + HOST + ":" + port;
    }

    /** Forgets every resource (POST /moto-api/reset), so each test starts from moto's default VPC. */
    void reset() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/moto-api/reset"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            fail("moto reset answered " + r.statusCode() + ": " + r.body());
        }
    }

    /**
     * A real SDK v2 client for this server: loopback endpoint, us-east-1, static dummy credentials,
     * the URL-connection HTTP client, and no retries, so each call is exactly one request and an
     * error is seen as moto sent it.
     */
    Ec2Client newClient() {
        return Ec2Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30))
                        .build())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends moto_server and every process it started; forcibly if it does not go within seconds. */
    @Override
    public void close() {
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (ProcessHandle h : tree) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }
}
