package dev.lustreha.bench.coldstart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark's Auto Scaling endpoint, on 127.0.0.1: moto 5.2.5 has no
 * {@code CompleteLifecycleAction} nor {@code RecordLifecycleActionHeartbeat} (it answers 500,
 * which the SDK would retry with back-off), so this answers those two with AWS's empty success
 * document and passes every other request to moto unchanged. It also takes the pool provisioner's
 * answer to CloudFormation (a PUT to the event's ResponseURL) at {@code /cfn-response}.
 */
final class AutoScalingShim implements AutoCloseable {

    private static final List<String> ANSWERED_HERE = List.of("CompleteLifecycleAction", "RecordLifecycleActionHeartbeat");

    private final HttpServer server;
    private final URI moto;
    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger cloudFormationAnswers = new AtomicInteger();

    private AutoScalingShim(HttpServer server, URI moto) {
        this.server = server;
        this.moto = moto;
    }

    static AutoScalingShim start(URI moto) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        AutoScalingShim shim = new AutoScalingShim(server, moto);
        server.createContext("/cfn-response", shim::cloudFormation);
        server.createContext("/", shim::autoScaling);
        server.start();
        return shim;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    URI cloudFormationResponseUrl() {
        return endpoint().resolve("/cfn-response");
    }

    /** Lifecycle-action calls answered here, and CloudFormation answers received, since the start. */
    int answered() {
        return answered.get();
    }

    int cloudFormationAnswers() {
        return cloudFormationAnswers.get();
    }

    private void autoScaling(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String form = new String(body, StandardCharsets.UTF_8);
        for (String action : ANSWERED_HERE) {
            if (form.contains("Action=" + action + "&") || form.endsWith("Action=" + action)) {
                answered.incrementAndGet();
                String xml = "<" + action + "Response xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><"
                        + action + "Result/><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></"
                        + action + "Response>";
                reply(exchange, 200, "text/xml", xml.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(moto.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        for (String header : List.of("Content-Type", "Authorization", "X-Amz-Date", "X-Amz-Security-Token")) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                forward.header(header, value);
            }
        }
        try {
            HttpResponse<byte[]> r = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            reply(exchange, r.statusCode(), r.headers().firstValue("Content-Type").orElse("text/xml"), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 503, "text/plain", "interrupted".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void cloudFormation(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        cloudFormationAnswers.incrementAndGet();
        reply(exchange, 200, "text/plain", new byte[0]);
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
