package dev.lustreha.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.config.Json;
import dev.lustreha.ec2.Ec2Gateway;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.trigger.ExecutionStarter.Started;
import dev.lustreha.trigger.RecordingPorts.AwsFake;
import dev.lustreha.trigger.RecordingPorts.RecordingFailover;
import dev.lustreha.trigger.RecordingPorts.RoleStoreFake;
import dev.lustreha.trigger.RecordingPorts.Starter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthRequest;

/**
 * Fuzzes the triggers' event parsing (invariant I7: a malformed or foreign event changes nothing
 * and is reported). Inputs are structure-aware mutations of the events/ fixtures, and raw bodies
 * through the Lambda entry points; every one is judged by {@link TriggerOracle}: no exception
 * escapes, the answer is a refusal with a reason or a well-formed command, and whatever the
 * trigger must refuse made no mutating call on any port. Seeds are fixed, so a run is repeatable
 * and a failure names the input that caused it.
 */
class TriggerFuzzTest {

    private static final long[] SEEDS = {1, 2, 3, 5, 8, 13, 42, 1337, 20_261_121, 0x5eedL};
    /** Per seed and trigger: tree inputs handed to {@code handle}. */
    private static final int TREE_INPUTS = 1_000;
    /** Per seed: bodies, each given to both handlers. */
    private static final int BODY_INPUTS = 800;
    /** Per seed and valid fixture: mutations that keep the event's meaning. */
    private static final int SAME_MEANING_INPUTS = 100;

    private static final HandoverState.Poll POLL = HandoverState.Poll.defaults();
    private static final List<String> FIXTURE_NAMES;
    private static final Map<String, byte[]> RAW = new LinkedHashMap<>();
    private static final Map<String, JsonNode> TREES = new LinkedHashMap<>();

    static {
        try (Stream<Path> files = Files.list(Fixtures.path(""))) {
            FIXTURE_NAMES = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String name : FIXTURE_NAMES) {
            RAW.put(name, Fixtures.bytes(name));
            try {
                TREES.put(name, Json.MAPPER.readTree(RAW.get(name)));
            } catch (JsonProcessingException notJson) {
                // malformed-not-json.json: a raw body only.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Everything a trigger could change: the fakes record every call. */
    record Ports(Starter starter, RoleStoreFake store, RecordingFailover failover, AwsFake aws) {
        static Ports fresh(Started answer) {
            return new Ports(new Starter(answer), RoleStoreFake.seeded(), new RecordingFailover(), new AwsFake());
        }

        /** The calls made, for comparing two runs. */
        List<Object> calls() {
            return List.of(starter.starts, store.calls, failover.requests, aws.healthRequests);
        }

        /** Whether anything was started, written, failed over or asked of AWS. */
        boolean anyChange() {
            return !starter.starts.isEmpty() || !store.mutations().isEmpty() || !failover.requests.isEmpty()
                    || !aws.healthRequests.isEmpty();
        }

        /**
         * The fail-overs asked for, by either path: the Failover port, or (the default failover)
         * SetInstanceHealth Unhealthy on the dead owner, which names no roles: those are the ones
         * the store saw orphaned.
         */
        List<RecordingFailover.Request> failovers(List<String> violations) {
            List<RecordingFailover.Request> out = new ArrayList<>(failover.requests);
            for (SetInstanceHealthRequest h : aws.healthRequests) {
                if ("Unhealthy".equals(h.healthStatus()) && Boolean.FALSE.equals(h.shouldRespectGracePeriod())) {
                    out.add(new RecordingFailover.Request(h.instanceId(), List.copyOf(store.orphaned)));
                } else {
                    violations.add("unexpected SetInstanceHealth " + h);
                }
            }
            return out;
        }
    }

    /** A trigger under test, handed a parsed event. */
    @FunctionalInterface
    interface Subject {
        TriggerResult handle(Ports ports, JsonNode event);
    }

    /** A Lambda entry point under test, handed a raw body; answers the bytes it wrote. */
    @FunctionalInterface
    interface BodySubject {
        byte[] handle(Ports ports, byte[] body) throws IOException;
    }

    /** Which oracle judges a subject, and its own fixtures (the ones it should act on, mutated most). */
    enum Kind {
        LIFECYCLE(List.of("launch-lifecycle.json", "terminate-lifecycle.json", "warm-pool-launch.json",
                "warm-pool-return.json", "foreign-asg-launch.json")),
        STATE_CHANGE(List.of("state-change-running.json", "state-change-stopped.json",
                "state-change-terminated.json", "malformed-state.json"));

        final List<String> own;

        Kind(List<String> own) {
            this.own = own;
        }

        List<String> check(JsonNode event, TriggerResult r, Ports p) {
            List<String> v = new ArrayList<>();
            if (this == LIFECYCLE) {
                v.addAll(TriggerOracle.checkLifecycle(event, r, p.starter(), Fixtures.CONFIG));
                if (!p.store().mutations().isEmpty() || !p.failover().requests.isEmpty()
                        || !p.aws().healthRequests.isEmpty()) {
                    v.add("the lifecycle trigger wrote roles, failed over or called AWS");
                }
            } else {
                v.addAll(TriggerOracle.checkStateChange(event, r, p.store(), p.failovers(v)));
                if (!p.starter().starts.isEmpty()) {
                    v.add("the state-change trigger started an execution");
                }
            }
            return v;
        }
    }

    static final Subject LIFECYCLE = (p, e) -> new LifecycleTrigger(Fixtures.CONFIG, p.starter(), POLL).handle(e);
    static final Subject STATE_CHANGE = (p, e) -> new StateChangeTrigger(Fixtures.CONFIG, p.store(), p.failover())
            .handle(e);
    /** The state-change trigger with its default failover: the dead owner's group is asked to replace it. */
    static final Subject STATE_CHANGE_VIA_GROUP = (p, e) -> new StateChangeTrigger(Fixtures.CONFIG, p.store(),
            new Ec2Gateway(p.aws().ec2, p.aws().autoScaling)).handle(e);
    static final BodySubject LIFECYCLE_HANDLER = (p, body) -> invoke(
            new LifecycleTriggerHandler(new LifecycleTrigger(Fixtures.CONFIG, p.starter(), POLL)), body);
    static final BodySubject STATE_CHANGE_HANDLER = (p, body) -> invoke(
            new StateChangeTriggerHandler(new StateChangeTrigger(Fixtures.CONFIG, p.store(), p.failover())), body);

    private static byte[] invoke(RequestStreamHandler handler, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(body), out, null);
        return out.toByteArray();
    }

    /**
     * One JSON document, read strictly: trailing content and duplicate keys make it malformed (a
     * duplicated field has two meanings; EventBridge sends neither). Null when it is not one.
     */
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static JsonNode strictTree(byte[] body) {
        try {
            return STRICT.readTree(body);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------ tallies

    /** Inputs per outcome, and the violations with the input that caused them. */
    static final class Tally {
        final String name;
        final Map<String, Integer> outcomes = new TreeMap<>();
        final List<String> violations = new ArrayList<>();
        /** Every violation by kind: its message up to the first ": " (what follows names the input's details). */
        final Map<String, Integer> kinds = new TreeMap<>();
        int inputs;
        int violating;
        long nanos;

        Tally(String name) {
            this.name = name;
        }

        void add(TriggerResult r, List<String> v, Supplier<String> input) {
            inputs++;
            outcomes.merge(r == null ? "(no result)" : category(r), 1, Integer::sum);
            v.forEach(msg -> kinds.merge(msg.contains(": ") ? msg.substring(0, msg.indexOf(": ")) : msg, 1,
                    Integer::sum));
            if (!v.isEmpty()) {
                violating++;
                if (violations.size() < 8) {
                    violations.add(v + "\n    input: " + input.get());
                }
            }
        }

        int count(String action) {
            return outcomes.entrySet().stream().filter(e -> e.getKey().startsWith(action))
                    .mapToInt(Map.Entry::getValue).sum();
        }

        boolean anyViolation(String kind) {
            return kinds.keySet().stream().anyMatch(k -> k.startsWith(kind));
        }

        void assertClean() {
            if (violating > 0) {
                fail(name + ": " + violating + " of " + inputs + " inputs broke the oracle; by kind: " + kinds
                        + "; first ones:\n" + String.join("\n", violations));
            }
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(String.format("%s: %d inputs in %d ms, %d violating%n", name, inputs,
                    nanos / 1_000_000, violating));
            if (!name.startsWith("BROKEN")) {
                outcomes.forEach((k, n) -> b.append(String.format("  %7d  %s%n", n, k)));
            }
            kinds.forEach((k, n) -> b.append(String.format("  %7d  VIOLATION %s%n", n, clip(k))));
            return b.toString();
        }
    }

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final Pattern NAMED = Pattern.compile("^(group|hook) .* is not");
    private static final Pattern QUOTED = Pattern.compile("'.*'");
    private static final Pattern BRACKETED = Pattern.compile("\\(.*\\)");
    private static final Pattern FOR_INSTANCE = Pattern.compile(" for .*$");

    /** The action, and for a refusal the kind of reason (the quoted, named and trailing details dropped). */
    static String category(TriggerResult r) {
        String reason = r.reason();
        if (reason == null || Stream.of("STARTED", "DUPLICATE", "ORPHANED").anyMatch(r.action()::equals)) {
            return r.action();
        }
        // Names first (a name may hold a quote), then quoted values, from the first quote to the last.
        String kind = CONTROL.matcher(reason).replaceAll(" ");
        kind = NAMED.matcher(kind).replaceAll("$1 … is not");
        kind = QUOTED.matcher(kind).replaceAll("'…'");
        kind = BRACKETED.matcher(kind).replaceAll("(…)");
        kind = FOR_INSTANCE.matcher(kind).replaceAll(" for …");
        int colon = kind.indexOf(':');
        kind = colon > 0 ? kind.substring(0, colon) : kind;
        return r.action() + "  " + (kind.length() > 80 ? kind.substring(0, 80) + "…" : kind);
    }

    private static final List<Tally> REPORT = Collections.synchronizedList(new ArrayList<>());

    @AfterAll
    static void printTheSplit() {
        StringBuilder b = new StringBuilder("Trigger fuzzing (seeds " + Arrays.toString(SEEDS) + ")\n");
        // The deliberately broken subjects last, so their violations are not read as the real ones'.
        REPORT.stream().sorted(Comparator.comparing((Tally t) -> t.name.startsWith("BROKEN")).thenComparing(t -> t.name))
                .forEach(b::append);
        System.out.print(b);
    }

    private static String show(JsonNode event) {
        return event == null ? "null" : clip(event.toString());
    }

    private static String show(byte[] body) {
        return clip(new String(body, StandardCharsets.UTF_8).replace("\u0000", "\\0")) + " (" + body.length + " bytes)";
    }

    private static String clip(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "…" : s;
    }

    // ------------------------------------------------------------------------------ the fuzz loops

    /** The answer Step Functions gives: now and then the execution exists already (a redelivered event). */
    private static Started answer(int i) {
        return i % 5 == 4 ? Started.ALREADY_EXISTS : Started.STARTED;
    }

    /** Runs one parsed event through a trigger and judges the outcome. */
    static List<String> run(Kind kind, Subject subject, JsonNode event, Started answer, Tally tally,
            Supplier<String> input) {
        Ports ports = Ports.fresh(answer);
        JsonNode before = event == null ? null : event.deepCopy();
        TriggerResult r = null;
        List<String> v = new ArrayList<>();
        try {
            r = subject.handle(ports, event);
            v.addAll(kind.check(event, r, ports));
        } catch (RuntimeException | StackOverflowError e) {
            v.add("threw " + e);
        }
        if (event != null && !event.equals(before)) {
            v.add("changed the event it was handed");
        }
        tally.add(r, v, input);
        return v;
    }

    static Tally fuzzTrees(Kind kind, Subject subject, long[] seeds, int perSeed, String name) {
        Tally tally = new Tally(name);
        long start = System.nanoTime();
        List<JsonNode> all = List.copyOf(TREES.values());
        List<JsonNode> own = kind.own.stream().map(TREES::get).toList();
        for (long seed : seeds) {
            Random rnd = new Random(seed);
            EventMutator m = new EventMutator(rnd, all);
            for (int i = 0; i < perSeed; i++) {
                JsonNode base = rnd.nextInt(10) < 6 ? m.pick(own) : m.pick(all);
                JsonNode event = rnd.nextInt(10) == 0 ? base.deepCopy() : m.mutate(base);
                run(kind, subject, event, answer(i), tally, () -> "seed " + seed + ": " + show(event));
            }
        }
        tally.nanos = System.nanoTime() - start;
        return tally;
    }

    /** A raw body: a mutated fixture file, a mutated event written out (maybe with duplicate keys), or garbage. */
    private static byte[] body(Random rnd, EventMutator m) {
        List<JsonNode> trees = List.copyOf(TREES.values());
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2 -> m.mutateBytes(m.pick(List.copyOf(RAW.values())));
            case 3, 4 -> EventMutator.bytes(m.write(m.mutate(m.pick(trees)), m.sameMeaning()));
            case 5 -> EventMutator.bytes(m.write(m.pick(trees), new EventMutator.Style(true, true, true, true)));
            case 6 -> m.mutateBytes(EventMutator.bytes(m.write(m.mutate(m.pick(trees)), m.sameMeaning())));
            case 7, 8 -> EventMutator.bytes(m.write(m.pick(trees), m.sameMeaning()));
            default -> m.garbage(m.pick(trees));
        };
    }

    /**
     * Runs one body through an entry point. Besides the trigger's oracle: the answer is one JSON line;
     * a body that is not one well-formed JSON document is rejected untouched; any other body is handled
     * exactly as the trigger handles the parsed document.
     */
    static List<String> runBody(Kind kind, BodySubject handler, Subject trigger, byte[] body, Started answer,
            Tally tally) {
        Ports ports = Ports.fresh(answer);
        TriggerResult r = null;
        List<String> v = new ArrayList<>();
        try {
            byte[] out = handler.handle(ports, body);
            String line = new String(out, StandardCharsets.UTF_8);
            try {
                r = Json.MAPPER.readValue(out, TriggerResult.class);
            } catch (IOException e) {
                v.add("answer is not a TriggerResult: " + clip(line));
                tally.add(null, v, () -> show(body));
                return v;
            }
            if (line.contains("\n") || r.action() == null) {
                v.add("answer is not one line with an action: " + clip(line));
            }
            JsonNode event = strictTree(body);
            if (event == null) {
                if (!"REJECTED".equals(r.action()) || r.reason() == null || r.reason().isBlank()) {
                    v.add("did not reject a body that is not one well-formed JSON document: " + r);
                }
                if (ports.anyChange()) {
                    v.add("acted on a body that is not one well-formed JSON document: " + ports.calls());
                }
            } else {
                v.addAll(kind.check(event, r, ports));
                Ports direct = Ports.fresh(answer);
                TriggerResult expected = trigger.handle(direct, event);
                // Compared as the entry point writes it (a string, then UTF-8): a lone surrogate the trigger
                // quotes from the event becomes '?' there.
                byte[] written = Json.MAPPER.writeValueAsString(expected).getBytes(StandardCharsets.UTF_8);
                if (!Arrays.equals(written, out)
                        || !direct.calls().equals(ports.calls())) {
                    v.add("the entry point did other than the trigger: " + r + " / " + expected);
                }
            }
        } catch (IOException | RuntimeException | StackOverflowError e) {
            v.add("threw " + e);
        }
        tally.add(r, v, () -> show(body));
        return v;
    }

    static Tally fuzzBodies(Kind kind, BodySubject handler, Subject trigger, long[] seeds, int perSeed, String name) {
        Tally tally = new Tally(name);
        long start = System.nanoTime();
        for (long seed : seeds) {
            // The same bodies for both entry points: each seed's sequence does not depend on the handler.
            Random rnd = new Random(seed);
            EventMutator m = new EventMutator(rnd, List.copyOf(TREES.values()));
            for (int i = 0; i < perSeed; i++) {
                runBody(kind, handler, trigger, body(rnd, m), answer(i), tally);
            }
        }
        tally.nanos = System.nanoTime() - start;
        return tally;
    }

    // ------------------------------------------------------------------------------ the tests

    /** Fuzzes a trigger with parsed events from every seed, and fails on any violation. */
    private static Tally fuzzCleanly(Kind kind, Subject subject, String name) {
        Tally t = fuzzTrees(kind, subject, SEEDS, TREE_INPUTS, name);
        REPORT.add(t);
        t.assertClean();
        return t;
    }

    @Test
    void theLifecycleTriggerRefusesOrStartsAValidExecutionForAnyEvent() {
        Tally t = fuzzCleanly(Kind.LIFECYCLE, LIFECYCLE, "lifecycle trigger, parsed events");
        // Both sides were exercised: the fuzzer cannot pass by feeding only garbage.
        assertTrue(t.count("STARTED") + t.count("DUPLICATE") > t.inputs / 50, t.toString());
        assertTrue(t.count("IGNORED") > t.inputs / 50 && t.count("REJECTED") > t.inputs / 50, t.toString());
    }

    @Test
    void theStateChangeTriggerOrphansOnlyForAWellFormedDeadOwner() {
        Tally t = fuzzCleanly(Kind.STATE_CHANGE, STATE_CHANGE, "state-change trigger, parsed events");
        assertTrue(t.count("ORPHANED") > t.inputs / 50, t.toString());
        assertTrue(t.count("NOOP") > t.inputs / 50 && t.count("REJECTED") > t.inputs / 50, t.toString());
    }

    @Test
    void theStateChangeTriggerAsksTheGroupToReplaceOnlyAWellFormedDeadOwner() {
        Tally t = fuzzCleanly(Kind.STATE_CHANGE, STATE_CHANGE_VIA_GROUP,
                "state-change trigger with the group failover, parsed events");
        assertTrue(t.count("ORPHANED") > t.inputs / 50, t.toString());
    }

    @Test
    void theEntryPointsRejectAnyBodyThatIsNotAnEventAndNeverThrow() {
        Tally lifecycle = fuzzBodies(Kind.LIFECYCLE, LIFECYCLE_HANDLER, LIFECYCLE, SEEDS, BODY_INPUTS,
                "lifecycle entry point, raw bodies");
        Tally stateChange = fuzzBodies(Kind.STATE_CHANGE, STATE_CHANGE_HANDLER, STATE_CHANGE, SEEDS,
                BODY_INPUTS, "state-change entry point, raw bodies");
        REPORT.add(lifecycle);
        REPORT.add(stateChange);
        lifecycle.assertClean();
        stateChange.assertClean();
        assertTrue(lifecycle.count("STARTED") + lifecycle.count("DUPLICATE") > 0, lifecycle.toString());
        assertTrue(stateChange.count("ORPHANED") > 0, stateChange.toString());
    }

    /**
     * The other side of the oracle: what EventBridge may vary without changing an event's meaning (key
     * order, escapes, whitespace, envelope fields the triggers do not read, fields added later) gives
     * exactly the command the fixture gives.
     */
    @Test
    void mutationsThatKeepAnEventsMeaningGiveTheSameCommand() throws IOException {
        Tally t = new Tally("same-meaning mutations of valid events");
        long start = System.nanoTime();
        Map<String, Kind> valid = Map.of("launch-lifecycle.json", Kind.LIFECYCLE,
                "terminate-lifecycle.json", Kind.LIFECYCLE, "state-change-stopped.json", Kind.STATE_CHANGE,
                "state-change-terminated.json", Kind.STATE_CHANGE, "state-change-running.json", Kind.STATE_CHANGE);
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            EventMutator m = new EventMutator(rnd, List.copyOf(TREES.values()));
            for (String name : new TreeMap<>(valid).keySet()) {
                Kind kind = valid.get(name);
                Subject trigger = kind == Kind.LIFECYCLE ? LIFECYCLE : STATE_CHANGE;
                BodySubject handler = kind == Kind.LIFECYCLE ? LIFECYCLE_HANDLER : STATE_CHANGE_HANDLER;
                Ports basePorts = Ports.fresh(Started.STARTED);
                TriggerResult base = trigger.handle(basePorts, TREES.get(name));
                assertEquals(kind == Kind.LIFECYCLE ? "STARTED" : name.contains("running") ? "NOOP" : "ORPHANED",
                        base.action(), name);
                for (int i = 0; i < SAME_MEANING_INPUTS; i++) {
                    JsonNode event = sameMeaning(TREES.get(name), rnd, m);
                    byte[] body = EventMutator.bytes(m.write(event, m.sameMeaning()));
                    Ports direct = Ports.fresh(Started.STARTED);
                    Ports viaHandler = Ports.fresh(Started.STARTED);
                    TriggerResult r = trigger.handle(direct, event);
                    TriggerResult h = Json.MAPPER.readValue(handler.handle(viaHandler, body), TriggerResult.class);
                    List<String> v = new ArrayList<>(kind.check(event, r, direct));
                    if (!base.equals(r) || !basePorts.calls().equals(direct.calls())) {
                        v.add("a same-meaning variant of " + name + " gave " + r + " instead of " + base);
                    }
                    if (!base.equals(h) || !basePorts.calls().equals(viaHandler.calls())) {
                        v.add("written out, a same-meaning variant of " + name + " gave " + h + " instead of " + base);
                    }
                    t.add(r, v, () -> "seed " + seed + ": " + show(body));
                }
            }
        }
        t.nanos = System.nanoTime() - start;
        REPORT.add(t);
        t.assertClean();
    }

    /** The fixture with its envelope varied, fields added, and the keys of each object reordered. */
    private static JsonNode sameMeaning(JsonNode fixture, Random rnd, EventMutator m) {
        ObjectNode e = fixture.deepCopy();
        for (String envelope : List.of("version", "id", "account", "time", "region", "resources")) {
            switch (rnd.nextInt(4)) {
                case 0 -> e.remove(envelope);
                case 1 -> e.set(envelope, plainValue(m, 2));
                default -> {
                }
            }
        }
        ObjectNode d = (ObjectNode) e.get("detail");
        if (d.has("NotificationMetadata") || rnd.nextInt(4) == 0) {
            if (rnd.nextBoolean()) {
                d.remove("NotificationMetadata");
            } else {
                d.put("NotificationMetadata", m.string("scratch/oss"));
            }
        }
        for (int n = rnd.nextInt(3); n > 0; n--) {
            (rnd.nextBoolean() ? e : d).set("extra-" + rnd.nextInt(1000), plainValue(m, 3));
        }
        e.set("detail", shuffled(d, rnd));
        return shuffled(e, rnd);
    }

    /**
     * A random value whose keys a JSON parser takes: no surrogate (Jackson refuses a lone one in a field
     * name, though not in a value) and no name over Jackson's length limit. A body with such a key is
     * rejected, rightly, so it would not be the same event.
     */
    private static JsonNode plainValue(EventMutator m, int depth) {
        JsonNode v = m.value(depth);
        while (hasUnreadableKey(v)) {
            v = m.value(depth);
        }
        return v;
    }

    private static boolean hasUnreadableKey(JsonNode n) {
        for (Map.Entry<String, JsonNode> f : n.properties()) {
            String k = f.getKey();
            if (k.length() > 1_000 || k.chars().anyMatch(c -> Character.isSurrogate((char) c))
                    || hasUnreadableKey(f.getValue())) {
                return true;
            }
        }
        if (n.isArray()) {
            for (JsonNode c : n) {
                if (hasUnreadableKey(c)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ObjectNode shuffled(ObjectNode o, Random rnd) {
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        Collections.shuffle(keys, rnd);
        ObjectNode out = Json.MAPPER.createObjectNode();
        keys.forEach(k -> out.set(k, o.get(k)));
        return out;
    }

    // ------------------------------------------------------------------------------ the oracle can fail

    private static final long[] FEW_SEEDS = {7};

    /** Fuzzes a deliberately broken subject and requires the oracle to report the violation it causes. */
    private static void assertFlagged(Kind kind, Subject broken, String what, String violation) {
        Tally t = fuzzTrees(kind, broken, FEW_SEEDS, 1_000, "BROKEN ON PURPOSE: " + what);
        REPORT.add(t);
        assertTrue(t.anyViolation(violation), t.kinds.toString());
    }

    @Test
    void theOracleFlagsATriggerThatThrowsOnAMissingField() {
        Subject careless = (p, e) -> {
            // Reads the instance id before checking that there is a detail object holding one.
            e.get("detail").get("EC2InstanceId").asText();
            return LIFECYCLE.handle(p, e);
        };
        assertFlagged(Kind.LIFECYCLE, careless, "a lifecycle trigger that throws on a missing field",
                "threw java.lang.NullPointerException");
    }

    @Test
    void theOracleFlagsATriggerThatStartsAHandoverForAWarmPoolMove() {
        Subject forgetful = (p, e) -> {
            JsonNode copy = e.deepCopy();
            if (copy.get("detail") instanceof ObjectNode d) {
                d.remove("Destination");
            }
            return LIFECYCLE.handle(p, copy);
        };
        assertFlagged(Kind.LIFECYCLE, forgetful, "a lifecycle trigger that forgot warm pools",
                "acted on an event it must refuse (a warm pool move)");
    }

    @Test
    void theOracleFlagsAStateChangeTriggerThatOrphansARunningOwner() {
        Subject hasty = (p, e) -> {
            JsonNode copy = e.deepCopy();
            if (copy.get("detail") instanceof ObjectNode d && d.path("state").isTextual()) {
                d.put("state", "stopped");
            }
            return STATE_CHANGE.handle(p, copy);
        };
        assertFlagged(Kind.STATE_CHANGE, hasty, "a state-change trigger that orphans on any state",
                "changed state for an event it must not act on");
    }

    @Test
    void theOracleFlagsAnEntryPointThatReadsBodiesLeniently() {
        // How the entry point read bodies before this fuzzer: the first JSON value, a repeated key's
        // last value, and only JsonProcessingException taken for a malformed body.
        BodySubject lenient = (p, body) -> {
            TriggerResult r;
            try {
                r = LIFECYCLE.handle(p, Json.MAPPER.readTree(body));
            } catch (JsonProcessingException e) {
                r = TriggerResult.rejected("not JSON: " + e.getOriginalMessage());
            }
            return Json.MAPPER.writeValueAsBytes(r);
        };
        Tally t = fuzzBodies(Kind.LIFECYCLE, lenient, LIFECYCLE, FEW_SEEDS, 1_000,
                "BROKEN ON PURPOSE: the entry point's lenient reading before this fuzzer");
        REPORT.add(t);
        assertTrue(t.anyViolation("acted on a body that is not one well-formed JSON document"), t.kinds.toString());
        assertTrue(t.anyViolation("threw java.io.CharConversionException"), t.kinds.toString());
    }
}
