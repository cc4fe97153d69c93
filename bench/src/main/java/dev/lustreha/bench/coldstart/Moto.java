package dev.lustreha.bench.coldstart;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The project's {@code moto_server} (from {@code .venv}, which {@code ./lustre-ha test} creates)
 * serving EC2, Auto Scaling and Step Functions on 127.0.0.1, with no AWS settings of the user and
 * every proxy pointed at a closed loopback port, so nothing it does can leave the machine.
 */
final class Moto implements AutoCloseable {

    private final Process process;
    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private Moto(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static Moto start(Path repository, Path log) throws IOException, InterruptedException {
        Path exe = repository.resolve(".venv/bin/moto_server");
        if (!Files.isExecutable(exe)) {
            throw new IllegalStateException("no moto_server at " + exe
                    + ": bench/run.sh creates .venv (the pinned tools of tools/requirements.txt) first");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("MOTO_") || k.toLowerCase().endsWith("_proxy"));
        env.putAll(Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_DEFAULT_REGION", "us-east-1", "AWS_EC2_METADATA_DISABLED", "true",
                "HTTP_PROXY", "http://127.0.0.1:9", "HTTPS_PROXY", "http://127.0.0.1:9",
                "NO_PROXY", "127.0.0.1,localhost", "PYTHONDONTWRITEBYTECODE", "1"));
        Moto moto = new Moto(pb.start(), URI.create("http://127.0.0.1:" + port));
        moto.awaitReady(log);
        return moto;
    }

    URI endpoint() {
        return endpoint;
    }

    /** Forgets every resource: each run starts from moto's default VPC. */
    void reset() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("moto reset answered " + r.statusCode() + ": " + r.body());
        }
    }

    private void awaitReady(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).timeout(Duration.ofSeconds(2))
                        .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("moto_server did not answer within 90 s; see " + log);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
