package dev.lustreha.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Structure-aware mutation of EventBridge events, for the trigger fuzz tests. Everything is drawn
 * from the {@link Random} it is given, so a seed reproduces an input exactly.
 *
 * <p>Tree mutations drop, retype, rename, move, swap, nest and replace fields, with values chosen
 * from what the triggers read (near-miss sources, detail-types, transitions, instance ids, tokens,
 * group and hook names, warm pool destinations) and from hostile strings (huge, empty, unicode,
 * control characters, lone surrogates). Text mutations work on the serialized form: duplicate
 * keys, truncation, stray bytes, trailing garbage, other encodings, deep nesting.
 */
final class EventMutator {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    static final String LAUNCH = LifecycleTrigger.LAUNCH;
    static final String TERMINATE = LifecycleTrigger.TERMINATE;
    static final String STATE_CHANGE = StateChangeTrigger.DETAIL_TYPE;

    /**
     * The fields the triggers read, with the values worth trying in each: valid ones and near misses.
     * Sorted: Map.of iterates in an order that changes from one JVM to the next, and a seed must give
     * the same inputs every run.
     */
    private static final Map<String, List<String>> KNOWN = new TreeMap<>(Map.ofEntries(
            Map.entry("source", List.of("aws.autoscaling", "aws.ec2", "aws.autoscaling ", "AWS.AUTOSCALING",
                    "aws.ec2x", "custom.app", "aws.autoscaling\u0000", "aws.autoscalin")),
            Map.entry("detail-type", List.of(LAUNCH, TERMINATE, STATE_CHANGE, "EC2 Instance Launch Successful",
                    "EC2 Instance Terminate Unsuccessful", "EBS Volume Notification", LAUNCH.toLowerCase(),
                    LAUNCH + " ", STATE_CHANGE.toUpperCase())),
            Map.entry("LifecycleTransition", List.of(LifecycleTrigger.LAUNCHING, LifecycleTrigger.TERMINATING,
                    "autoscaling:TEST_NOTIFICATION", LifecycleTrigger.LAUNCHING.toLowerCase(),
                    LifecycleTrigger.LAUNCHING + " ", "autoscaling:EC2_INSTANCE_LAUNCHED", "EC2_INSTANCE_LAUNCHING")),
            Map.entry("EC2InstanceId", instanceIds()),
            Map.entry("instance-id", instanceIds()),
            Map.entry("AutoScalingGroupName", List.of("scratch-oss", "scratch-mds", "scratch-mgs", "web-frontend",
                    "scratch-oss ", "SCRATCH-OSS", "scratch-oss\u0000", "scratch-ossx", "a".repeat(256),
                    "scratch-\u043ess")),
            Map.entry("LifecycleHookName", List.of("lustre-ha-launch", "lustre-ha-terminate", "web-launch",
                    "lustre-ha-launch ", "lustre-ha-launch\n", "h".repeat(256))),
            Map.entry("LifecycleActionToken", List.of("87654321-4321-4321-4321-210987654321",
                    "11111111-2222-3333-4444-555555555555", "ABCDEF01-2345-6789-ABCD-EF0123456789",
                    "8765432143214321432121098765432", "{87654321-4321-4321-4321-210987654321}",
                    "87654321-4321-4321-4321-21098765432", "87654321-4321-4321-4321-210987654321\n",
                    "../../../etc/passwd", "87654321-4321-4321-4321-21098765432g")),
            Map.entry("Origin", List.of("EC2", "AutoScalingGroup", "WarmPool")),
            Map.entry("Destination", List.of("EC2", "AutoScalingGroup", "WarmPool", "warmpool", "WarmPool ")),
            Map.entry("state", List.of("pending", "running", "stopping", "stopped", "shutting-down", "terminated",
                    "Stopped", "exploded", "running ", ""))));

    private static List<String> instanceIds() {
        return List.of(RecordingPorts.RoleStoreFake.OWNER, RecordingPorts.RoleStoreFake.OTHER_OWNER,
                "i-0a1b2c3d4e5f60001", "i-0123abcd", "i-0123456789abcdef0", "i-0123abc", "i-0123456789abcdef01",
                "i-0A1B2C3D4E5F60001", "I-0a1b2c3d4e5f60001", "i-", "i-0a1b2c3d4e5f6000g", " i-0a1b2c3d4e5f60001",
                "i-0a1b2c3d4e5f60002\n", "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60002",
                "\u0456-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f6000\uff12");
    }

    /** Strings that have broken parsers before. */
    private static final List<String> HOSTILE = List.of("", " ", "\t\n", "\u0000", "\u001b[31mred", "\u007f",
            "\u0085", "\u2028", "\u202eevil", "\ufeff", "\u00a0", "\ud800", "\udfff", "\ud83d\ude80", "e\u0301",
            "null", "[]", "{\"a\":1}", "'; DROP TABLE roles; --", "${jndi:ldap://x/a}", "%s%n%x", "\\", "\"",
            "../../etc/passwd", "\u0000\u0000\u0000\u0000");

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final String[] GARBAGE_TOKENS = {",", "}", "]", "{", "[", "\"", "\\", ":", "\u0000", "/*", "//",
        "NaN", "'", "\u00ff", "\ud800", "null", " ", "\n", "1e999999", "-", "0x1F", "true", "{}"};

    private final Random rnd;
    /** Every key and text value of the fixtures, to move values between fields. */
    private final List<String> dictionary;
    /** Subtrees of every fixture, to graft one event's parts into another. */
    private final List<JsonNode> grafts;

    EventMutator(Random rnd, List<JsonNode> fixtures) {
        this.rnd = rnd;
        List<String> words = new ArrayList<>();
        List<JsonNode> parts = new ArrayList<>();
        for (JsonNode f : fixtures) {
            collect(f, words, parts);
        }
        this.dictionary = words;
        this.grafts = parts;
    }

    private static void collect(JsonNode n, List<String> words, List<JsonNode> parts) {
        parts.add(n);
        if (n.isTextual()) {
            words.add(n.textValue());
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            words.add(e.getKey());
            collect(e.getValue(), words, parts);
        }
        if (n.isArray()) {
            n.forEach(c -> collect(c, words, parts));
        }
    }

    // ------------------------------------------------------------------------------ tree mutations

    /** A place in a tree: the root ({@code parent == null}), a field of an object, or an element of an array. */
    private record Slot(JsonNode parent, String key, int index) {
        JsonNode get(JsonNode root) {
            if (parent == null) {
                return root;
            }
            return key != null ? parent.get(key) : parent.get(index);
        }
    }

    /** A copy of {@code base} with one to four mutations. */
    JsonNode mutate(JsonNode base) {
        JsonNode root = base.deepCopy();
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            root = mutateOnce(root);
        }
        return root;
    }

    private JsonNode mutateOnce(JsonNode root) {
        List<Slot> slots = new ArrayList<>();
        slots(root, null, null, -1, slots);
        // Half the time aim at a field a trigger reads; the envelope fields it ignores are many.
        List<Slot> known = slots.stream().filter(s -> s.key() != null && KNOWN.containsKey(s.key())).toList();
        Slot slot = !known.isEmpty() && rnd.nextBoolean() ? pick(known) : pick(slots);
        JsonNode current = slot.get(root);
        return switch (rnd.nextInt(12)) {
            case 0 -> remove(root, slot);
            case 1, 2 -> replace(root, slot, retype(current));
            case 3, 4 -> replace(root, slot, F.textNode(string(current.isTextual() ? current.textValue() : "x")));
            case 5, 6 -> replace(root, slot, F.textNode(known(slot.key(), current)));
            case 7 -> insert(root);
            case 8 -> replace(root, slot, nest(current.deepCopy(), rnd.nextInt(10) == 0 ? 200 + rnd.nextInt(700)
                    : 1 + rnd.nextInt(5)));
            case 9 -> swap(root, slot, pick(slots));
            case 10 -> rename(root, slot);
            default -> replace(root, slot, pick(grafts).deepCopy());
        };
    }

    private static void slots(JsonNode n, JsonNode parent, String key, int index, List<Slot> out) {
        out.add(new Slot(parent, key, index));
        if (n.isObject()) {
            n.properties().forEach(e -> slots(e.getValue(), n, e.getKey(), -1, out));
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                slots(n.get(i), n, null, i, out);
            }
        }
    }

    private static JsonNode replace(JsonNode root, Slot slot, JsonNode value) {
        if (slot.parent() == null) {
            return value;
        }
        if (slot.key() != null) {
            ((ObjectNode) slot.parent()).set(slot.key(), value);
        } else {
            ((ArrayNode) slot.parent()).set(slot.index(), value);
        }
        return root;
    }

    private JsonNode remove(JsonNode root, Slot slot) {
        if (slot.parent() == null) {
            return rnd.nextBoolean() ? F.objectNode() : F.missingNode();
        }
        if (slot.key() != null) {
            ((ObjectNode) slot.parent()).remove(slot.key());
        } else {
            ((ArrayNode) slot.parent()).remove(slot.index());
        }
        return root;
    }

    /** Adds a field (a known one, a fixture word, or a strange one) with a random value to some object. */
    private JsonNode insert(JsonNode root) {
        List<Slot> slots = new ArrayList<>();
        slots(root, null, null, -1, slots);
        List<JsonNode> objects = slots.stream().map(s -> s.get(root)).filter(JsonNode::isObject).toList();
        if (objects.isEmpty()) {
            return root;
        }
        String key = switch (rnd.nextInt(3)) {
            case 0 -> pick(new ArrayList<>(KNOWN.keySet()));
            case 1 -> pick(dictionary);
            default -> string("key");
        };
        JsonNode value = rnd.nextBoolean() && KNOWN.containsKey(key) ? F.textNode(pick(KNOWN.get(key))) : value(3);
        ((ObjectNode) pick(objects)).set(key, value);
        return root;
    }

    private JsonNode swap(JsonNode root, Slot a, Slot b) {
        if (a.parent() == null || b.parent() == null) {
            return root;
        }
        JsonNode va = a.get(root).deepCopy();
        JsonNode vb = b.get(root).deepCopy();
        // b may lie inside a (or a inside b): set both from copies, then the tree stays a tree.
        replace(root, a, vb);
        if (b.parent() != null && isAttached(root, b.parent())) {
            replace(root, b, va);
        }
        return root;
    }

    private static boolean isAttached(JsonNode root, JsonNode node) {
        if (root == node) {
            return true;
        }
        for (JsonNode c : root) {
            if (isAttached(c, node)) {
                return true;
            }
        }
        return false;
    }

    /** Renames a field: another case, stray whitespace, or a neighbouring known name. */
    private JsonNode rename(JsonNode root, Slot slot) {
        if (slot.key() == null) {
            return root;
        }
        ObjectNode parent = (ObjectNode) slot.parent();
        JsonNode value = parent.remove(slot.key());
        String k = slot.key();
        String renamed = switch (rnd.nextInt(5)) {
            case 0 -> k.toLowerCase();
            case 1 -> k + " ";
            case 2 -> k.replace('-', '_');
            case 3 -> pick(new ArrayList<>(KNOWN.keySet()));
            default -> "\u0000" + k;
        };
        parent.set(renamed, value);
        return root;
    }

    private JsonNode nest(JsonNode value, int depth) {
        JsonNode n = value;
        for (int i = 0; i < depth; i++) {
            n = rnd.nextBoolean() ? F.arrayNode().add(n) : F.objectNode().set(rnd.nextBoolean() ? "value" : "", n);
        }
        return n;
    }

    /** A value of another JSON type than {@code current}'s. */
    private JsonNode retype(JsonNode current) {
        for (int attempt = 0; attempt < 8; attempt++) {
            JsonNode v = switch (rnd.nextInt(9)) {
                case 0 -> F.nullNode();
                case 1 -> F.booleanNode(rnd.nextBoolean());
                case 2 -> F.numberNode(rnd.nextInt(3) == 0 ? 12345 : rnd.nextLong());
                case 3 -> F.numberNode(new BigInteger("9".repeat(1 + rnd.nextInt(400))));
                case 4 -> F.numberNode(rnd.nextBoolean() ? 1e308 : -0.0);
                case 5 -> F.arrayNode().add(current.deepCopy());
                case 6 -> F.objectNode().set("value", current.deepCopy());
                case 7 -> F.textNode(current.toString());
                default -> rnd.nextBoolean() ? F.arrayNode() : F.objectNode();
            };
            if (v.getNodeType() != current.getNodeType()) {
                return v;
            }
        }
        return F.nullNode();
    }

    /** A value the trigger reads in this field (a valid one or a near miss), else a hostile string. */
    private String known(String key, JsonNode current) {
        List<String> values = key == null ? null : KNOWN.get(key);
        if (values == null || rnd.nextInt(5) == 0) {
            return string(current.isTextual() ? current.textValue() : "x");
        }
        return pick(values);
    }

    /** A hostile variant of {@code original}, or a hostile string, or a word from another field. */
    String string(String original) {
        return switch (rnd.nextInt(14)) {
            case 0 -> pick(HOSTILE);
            case 1 -> pick(dictionary);
            case 2 -> original + pick(HOSTILE);
            case 3 -> pick(HOSTILE) + original;
            case 4 -> original.toUpperCase();
            case 5 -> original.isEmpty() ? "" : original.substring(0, rnd.nextInt(original.length()));
            case 6 -> original + original;
            case 7 -> flipChar(original);
            case 8 -> rnd.nextInt(8) == 0 ? "a".repeat(65_536) : original.repeat(1 + rnd.nextInt(300));
            case 9 -> controlString();
            case 10 -> randomUnicode(1 + rnd.nextInt(40));
            case 11 -> original.chars().mapToObj(c -> c == 'i' ? "\u0456" : c == '-' ? "\u2010" : String.valueOf((char) c))
                    .reduce("", String::concat);
            case 12 -> original.strip() + "\r\n";
            default -> pick(dictionary) + pick(dictionary);
        };
    }

    private String flipChar(String s) {
        if (s.isEmpty()) {
            return "x";
        }
        char[] cs = s.toCharArray();
        cs[rnd.nextInt(cs.length)] = (char) (rnd.nextBoolean() ? rnd.nextInt(128) : rnd.nextInt(0x10000));
        return new String(cs);
    }

    private String controlString() {
        StringBuilder b = new StringBuilder();
        for (int i = rnd.nextInt(10); i >= 0; i--) {
            b.append((char) (rnd.nextBoolean() ? rnd.nextInt(0x20) : 0x7f + rnd.nextInt(0x21)));
        }
        return b.toString();
    }

    private String randomUnicode(int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append((char) rnd.nextInt(0x10000));
        }
        return b.toString();
    }

    /** A random value, nested up to {@code depth}. */
    JsonNode value(int depth) {
        int kind = rnd.nextInt(depth > 0 ? 9 : 6);
        return switch (kind) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(rnd.nextBoolean());
            case 2 -> F.numberNode(rnd.nextLong());
            case 3 -> F.numberNode(new BigDecimal(rnd.nextGaussian()).scaleByPowerOfTen(rnd.nextInt(600) - 300));
            case 4, 5 -> F.textNode(string(pick(dictionary)));
            case 6 -> {
                ArrayNode a = F.arrayNode();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    a.add(value(depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = F.objectNode();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    o.set(rnd.nextBoolean() ? pick(dictionary) : string("k"), value(depth - 1));
                }
                yield o;
            }
        };
    }

    // ------------------------------------------------------------------------------ text

    /** How {@link #write} lays out a tree: all but {@code duplicateKeys} keep it the same JSON document. */
    record Style(boolean shuffleKeys, boolean escapeChars, boolean whitespace, boolean duplicateKeys) {
        static final Style PLAIN = new Style(false, false, false, false);
    }

    /** A random style that keeps the document's meaning: key order, escapes and whitespace vary. */
    Style sameMeaning() {
        return new Style(rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean(), false);
    }

    /** Writes {@code node} as JSON text in {@code style}; with duplicate keys, some fields appear twice. */
    String write(JsonNode node, Style style) {
        StringBuilder b = new StringBuilder();
        write(node, style, b);
        return b.toString();
    }

    private void write(JsonNode n, Style s, StringBuilder b) {
        space(s, b);
        if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
            if (s.shuffleKeys()) {
                Collections.shuffle(fields, rnd);
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> f : fields) {
                int times = s.duplicateKeys() && rnd.nextInt(3) == 0 ? 2 : 1;
                for (int t = 0; t < times; t++) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    space(s, b);
                    string(f.getKey(), s, b);
                    space(s, b);
                    b.append(':');
                    JsonNode v = t == 0 ? f.getValue() : rnd.nextBoolean() ? f.getValue() : value(1);
                    write(v, s, b);
                }
            }
            space(s, b);
            b.append('}');
        } else if (n.isArray()) {
            b.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(n.get(i), s, b);
            }
            space(s, b);
            b.append(']');
        } else if (n.isTextual()) {
            string(n.textValue(), s, b);
        } else if (n.isMissingNode()) {
            // Nothing: an empty body.
        } else {
            b.append(n.toString());
        }
        space(s, b);
    }

    private void space(Style s, StringBuilder b) {
        if (s.whitespace() && rnd.nextInt(3) == 0) {
            b.append(pick(List.of(" ", "\n", "\t", "\r\n", "  ")));
        }
    }

    private void string(String v, Style s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || (s.escapeChars() && rnd.nextInt(4) == 0)) {
                // Control characters must be escaped; a lone surrogate has no UTF-8 form, only an escape.
                b.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                        .append(HEX[c & 0xf]);
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /** One to three byte-level mutations of {@code bytes}. */
    byte[] mutateBytes(byte[] bytes) {
        byte[] out = bytes;
        for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
            out = mutateBytesOnce(out);
        }
        return out;
    }

    private byte[] mutateBytesOnce(byte[] in) {
        int at = in.length == 0 ? 0 : rnd.nextInt(in.length + 1);
        return switch (rnd.nextInt(10)) {
            case 0 -> Arrays.copyOf(in, at); // truncated
            case 1 -> {
                byte[] out = in.clone();
                if (out.length > 0) {
                    out[Math.min(at, out.length - 1)] = (byte) rnd.nextInt(256);
                }
                yield out;
            }
            case 2 -> splice(in, at, at, bytes(pick(Arrays.asList(GARBAGE_TOKENS))));
            case 3 -> splice(in, at, Math.min(in.length, at + 1 + rnd.nextInt(20)), new byte[0]);
            case 4 -> {
                int end = Math.min(in.length, at + 1 + rnd.nextInt(40));
                yield splice(in, end, end, Arrays.copyOfRange(in, at, end)); // a stretch repeated
            }
            case 5 -> concat(in, bytes(pick(List.of(" x", "}", "]", "{}", "\u0000", "null", ",{}", "\n{\"a\":1}"))));
            case 6 -> concat(in, in); // two documents
            case 7 -> concat(bytes(pick(List.of("\ufeff", " \n", "[", "{\"a\":", ")]}'\n", "\u0000"))), in);
            case 8 -> reencode(in);
            default -> {
                byte[] junk = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(junk);
                yield splice(in, at, at, junk);
            }
        };
    }

    /** The same text in another encoding JSON parsers detect (UTF-16, UTF-32), or with invalid UTF-8. */
    private byte[] reencode(byte[] in) {
        String text = new String(in, StandardCharsets.UTF_8);
        return switch (rnd.nextInt(5)) {
            case 0 -> text.getBytes(StandardCharsets.UTF_16BE);
            case 1 -> text.getBytes(StandardCharsets.UTF_16LE);
            case 2 -> text.getBytes(Charset.forName("UTF-32BE"));
            case 3 -> text.getBytes(Charset.forName("UTF-32LE"));
            default -> splice(in, 0, 0, new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff, (byte) 0xfe});
        };
    }

    /** Bodies no event fixture leads to: empty, scalars, deep nesting, huge numbers, binary. */
    byte[] garbage(JsonNode someEvent) {
        int depth = pick(List.of(2, 999, 1000, 1001, 5000, 100_000));
        return switch (rnd.nextInt(14)) {
            case 0 -> new byte[0];
            case 1 -> bytes(pick(List.of(" ", "\n\t\r ", "\ufeff")));
            case 2 -> bytes(pick(List.of("null", "true", "0", "-1", "1e999999", "\"str\"", "[]", "[{}]", "{}", "\"\"")));
            case 3 -> bytes("[".repeat(depth) + "]".repeat(depth));
            case 4 -> bytes("[".repeat(depth));
            case 5 -> bytes("{\"detail\":".repeat(depth) + "{}" + "}".repeat(depth));
            case 6 -> bytes("9".repeat(1 + rnd.nextInt(5000)));
            case 7 -> bytes("{\"source\":\"aws.autoscaling\",\"n\":" + "1".repeat(2000) + "}");
            case 8 -> {
                byte[] junk = new byte[rnd.nextInt(200)];
                rnd.nextBytes(junk);
                yield junk;
            }
            case 9 -> bytes(F.textNode(someEvent.toString()).toString()); // the event, encoded again as a string
            case 10 -> bytes("[" + someEvent + "]");
            case 11 -> bytes(pick(List.of("{'source':'aws.ec2'}", "{source:1}", "{\"a\":NaN}", "{\"a\":1,}",
                    "// c\n{}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\ud800\"}", "{\"\\u0000\":0}")));
            case 12 -> new byte[] {0, 0, 0, 0x7b, (byte) rnd.nextInt(256), (byte) rnd.nextInt(256), 0x7f, 0x7f};
            default -> bytes("{\"detail\":{\"EC2InstanceId\":\"" + "\\u0041".repeat(rnd.nextInt(3000)) + "\"}}");
        };
    }

    // ------------------------------------------------------------------------------ helpers

    <T> T pick(List<T> xs) {
        return xs.get(rnd.nextInt(xs.size()));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] splice(byte[] in, int from, int to, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + insert.length);
        out.write(in, 0, from);
        out.write(insert, 0, insert.length);
        out.write(in, to, in.length - to);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return splice(a, a.length, a.length, b);
    }
}
