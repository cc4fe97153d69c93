package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.local.Repository;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The pages of real runs, opened in a real browser: Debian's {@code chromium}, headless, driven over
 * the DevTools protocol (a WebSocket on 127.0.0.1, the JDK's own client). For the demo, a scenario
 * with faults tied to steps, and one whose role fails over to a standby, it loads the page from its
 * file, and checks from the DOM that every role has its row, every handover of the JSON report its
 * bar (with its phases drawn at a width) and its table row, every fault that struck its marker;
 * that the script ran (the replay button works) and that the page logged no error and threw no
 * exception. It saves a screenshot of each in target/browser.
 *
 * <p>Without chromium the test cannot say anything: under {@code CI=true} that fails it, elsewhere it
 * is reported as skipped with the reason.
 */
class ReportInBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OUT = Path.of("target", "browser");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Process browser;
    private static Path profile;
    private static int port;

    @BeforeAll
    static void startBrowser() throws Exception {
        Optional<Path> binary = chromium();
        if (binary.isEmpty()) {
            String why = "no chromium on PATH (or $CHROMIUM): ./lustre-ha test installs Debian's chromium "
                    + "(scripts/toolchain.sh, ensure_browser)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        Files.createDirectories(OUT);
        profile = Files.createTempDirectory("lustre-ha-chromium");
        // --no-sandbox: the build may run as root, where chromium refuses its sandbox. The page is
        // our own file and the browser can reach nothing but 127.0.0.1's DevTools port.
        browser = new ProcessBuilder(binary.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "about:blank")
                .redirectErrorStream(true).redirectOutput(OUT.resolve("chromium.log").toFile()).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
            if (!browser.isAlive() || System.nanoTime() > deadline) {
                fail("chromium did not start (see " + OUT.resolve("chromium.log") + ")");
            }
            Thread.sleep(50);
        }
        port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.destroy();
            if (!browser.waitFor(10, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static Optional<Path> chromium() {
        String named = System.getenv("CHROMIUM");
        if (named != null && !named.isBlank()) {
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    @TestFactory
    Stream<DynamicTest> eachPageRendersItsReport() {
        return Stream.of(
                DynamicTest.dynamicTest("demo", () -> check("demo", "demo", "--speed", "100")),
                DynamicTest.dynamicTest("step-faults", () -> check("step-faults", "simulate",
                        Repository.file("scenarios/step-faults.json").toString())),
                DynamicTest.dynamicTest("standby failover (target-readonly)", () -> check("target-readonly", "simulate",
                        Repository.file("scenarios/target-readonly.json").toString())));
    }

    private static void check(String name, String... command) throws Exception {
        Path json = OUT.resolve(name + ".json").toAbsolutePath();
        Path html = OUT.resolve(name + ".html").toAbsolutePath();
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--report", json.toString(), "--html", html.toString()));
        Cli run = Cli.run(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.printed());
        JsonNode report = JSON.readTree(json.toFile());
        if (name.equals("target-readonly")) {
            assertTrue(report.path("handovers").findValues("kind").stream().anyMatch(k -> k.asText().equals("standby")),
                    "the standby failover is in the report: " + report.path("handovers"));
        }

        try (Page page = Page.open(port)) {
            page.call("Runtime.enable", null);
            page.call("Log.enable", null);
            page.call("Page.enable", null);
            ObjectNode metrics = JSON.createObjectNode().put("width", 1280).put("height", 900).put("deviceScaleFactor", 1)
                    .put("mobile", false);
            page.call("Emulation.setDeviceMetricsOverride", metrics);
            CompletableFuture<JsonNode> loaded = page.event("Page.loadEventFired");
            page.call("Page.navigate", JSON.createObjectNode().put("url", html.toUri().toString()));
            loaded.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            JsonNode dom = page.evaluate("""
                    (() => {
                      const all = s => Array.from(document.querySelectorAll(s));
                      document.getElementById('copy-replay').click();
                      return {
                        title: document.title,
                        outcome: document.getElementById('outcome').textContent,
                        roleRows: all('svg g.role-row').map(g => g.dataset.role),
                        bars: all('svg g.handover').map(g => ({execution: g.dataset.execution,
                          phases: g.querySelectorAll('rect.phase').length,
                          width: g.getBBox().width})),
                        tableRows: all('#handover-table tbody tr').map(r => r.dataset.execution),
                        faults: all('svg g.fault').length,
                        scriptRan: typeof window.lustreHaReport === 'object'
                          && window.lustreHaReport.handovers.length === all('svg g.handover').length,
                        svgWidth: document.getElementById('timeline').getBoundingClientRect().width
                      };
                    })()""");

            List<String> roles = new ArrayList<>();
            report.path("roles").forEach(r -> roles.add(r.path("role").asText()));
            List<String> rows = new ArrayList<>();
            dom.path("roleRows").forEach(r -> rows.add(r.asText()));
            assertEquals(roles, rows, "one row per role");

            Map<String, JsonNode> bars = new ConcurrentHashMap<>();
            dom.path("bars").forEach(b -> bars.put(b.path("execution").asText(), b));
            List<String> tableRows = new ArrayList<>();
            dom.path("tableRows").forEach(r -> tableRows.add(r.asText()));
            for (JsonNode h : report.path("handovers")) {
                String execution = h.path("execution").asText();
                JsonNode bar = bars.get(execution);
                assertTrue(bar != null, "a bar for " + execution + " (" + h.path("role").asText() + "); bars: " + bars.keySet());
                assertTrue(bar.path("phases").asInt() >= 1 && bar.path("width").asDouble() > 0, "drawn: " + bar);
                assertTrue(tableRows.contains(execution), "a table row for " + execution);
            }
            assertEquals(report.path("handovers").size(), dom.path("bars").size(), "no bar without a handover");
            int struck = 0;
            for (JsonNode f : report.path("faults")) {
                struck += f.path("struckAt").isNumber() ? 1 : 0;
            }
            assertEquals(struck, dom.path("faults").asInt(), "a marker per fault that struck");
            assertTrue(dom.path("scriptRan").asBoolean(), "the page's script ran over the embedded report");
            assertEquals(report.path("ok").asBoolean() ? "OK" : "NOT OK", dom.path("outcome").asText());
            assertTrue(dom.path("svgWidth").asDouble() > 1000, "the picture fills the page: " + dom);

            JsonNode shot = page.call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
            byte[] png = Base64.getDecoder().decode(shot.path("data").asText());
            Files.write(OUT.resolve(name + ".png"), png);
            assertTrue(png.length > 10_000, "a screenshot of " + name + ": " + png.length + " bytes");
            assertEquals(List.of(), page.errors(), "console errors and exceptions on " + html);
        }
    }

    /** One page target over the DevTools protocol: commands by id, events by name, errors kept. */
    private static final class Page implements WebSocket.Listener, AutoCloseable {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<JsonNode>> awaited = new ConcurrentHashMap<>();
        private final List<String> errors = new CopyOnWriteArrayList<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Page open(int port) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            // A new tab for each page: nothing carries over from the one before.
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/json/new?about:blank")).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, created.statusCode(), created.body());
            String ws = JSON.readTree(created.body()).path("webSocketDebuggerUrl").asText();
            Page page = new Page();
            page.socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), page).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return page;
        }

        JsonNode call(String method, ObjectNode params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
            message.set("params", params == null ? JSON.createObjectNode() : params);
            socket.sendText(JSON.writeValueAsString(message), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            JsonNode reply = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error")) {
                fail(method + ": " + reply.path("error"));
            }
            return reply.path("result");
        }

        CompletableFuture<JsonNode> event(String method) {
            return awaited.computeIfAbsent(method, m -> new CompletableFuture<>());
        }

        JsonNode evaluate(String expression) throws Exception {
            JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                    .put("returnByValue", true));
            if (r.has("exceptionDetails")) {
                fail("the DOM query threw: " + r.path("exceptionDetails"));
            }
            return r.path("result").path("value");
        }

        List<String> errors() {
            return List.copyOf(errors);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    received(JSON.readTree(text));
                } catch (IOException e) {
                    errors.add("unreadable DevTools message: " + e.getMessage());
                }
            }
            ws.request(1);
            return null;
        }

        private void received(JsonNode m) {
            if (m.has("id")) {
                Optional.ofNullable(pending.remove(m.path("id").asInt())).ifPresent(f -> f.complete(m));
                return;
            }
            String method = m.path("method").asText();
            JsonNode p = m.path("params");
            switch (method) {
                case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails"));
                case "Runtime.consoleAPICalled" -> {
                    if (List.of("error", "assert").contains(p.path("type").asText())) {
                        errors.add("console." + p.path("type").asText() + ": " + p.path("args"));
                    }
                }
                case "Log.entryAdded" -> {
                    if ("error".equals(p.path("entry").path("level").asText())) {
                        errors.add("log: " + p.path("entry"));
                    }
                }
                default -> {
                }
            }
            Optional.ofNullable(awaited.get(method)).ifPresent(f -> f.complete(p));
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
