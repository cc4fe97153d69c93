package dev.lustreha.sim.cli;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import dev.lustreha.local.cloud.Latency;
import dev.lustreha.sim.FileSystemSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A scenario file for {@code ./lustre-ha simulate}: a file system, the faults to inject (at virtual
 * seconds counted from the moment every role first served) and what must hold afterwards. Parsed
 * from JSON and validated field by field; an invalid file is refused with the path of the first bad
 * field ({@code faults[1].kind}), never run.
 *
 * @param seed the one seed of the simulated cloud (ids, latencies, faults)
 */
public record Scenario(String name, long seed, LatencyProfile latency, FileSystem fileSystem, List<Fault> faults,
        Expect expect) {

    /** How long the simulated cloud's transient states last. */
    public enum LatencyProfile {
        ZERO("zero"), AWS("aws");

        final String wire;

        LatencyProfile(String wire) {
            this.wire = wire;
        }

        public Latency latency() {
            return this == ZERO ? Latency.zero() : Latency.aws();
        }
    }

    /** The file system: one MGS, {@code mds} MDS roles, {@code oss} OSS roles with {@code volumesPerOss} OSTs each. */
    public record FileSystem(String name, String az, int mds, int oss, int volumesPerOss, int standbys) {

        public FileSystemSpec spec() {
            return new FileSystemSpec(new FileSystemName(name), az, mds, oss, volumesPerOss, standbys);
        }
    }

    /**
     * The kinds of fault, with what each needs: a role, a duration, or both. A fault may instead be
     * tied to a step of a running handover ({@link Fault#step}); some kinds only exist so.
     */
    public enum Kind {
        TERMINATE("terminate", true, false),
        STOP("stop", true, false),
        HANG("hang", true, false),
        STUCK_DETACH("stuck-detach", true, true),
        THROTTLE("throttle", false, true),
        DROP_EVENTS("drop-events", false, true),
        DUPLICATE_EVENTS("duplicate-events", false, true),
        AZ_OUTAGE("az-outage", false, true),
        /** Malformed and foreign events handed to the triggers (I7: they must change nothing). */
        GARBAGE_EVENTS("garbage-events", false, false),
        /** The handover's old owner, hung, answers again while it is being fenced (tied to a step). */
        RECOVER("recover", false, false),
        /** The step's function acts but Step Functions never hears back: it retries a step that already acted (tied to a step). */
        LOSE_RESPONSE("lose-response", false, false),
        /** The role's Lustre service fails its health_check for the window; EC2's checks still pass. */
        LUSTRE_UNHEALTHY("lustre-unhealthy", true, true),
        /** One of the role's targets is remounted read-only (an ldiskfs error) for the window. */
        TARGET_READONLY("target-readonly", true, true),
        /** LNet is down on the role's server for the window: it reaches no other server, and none reaches it. */
        LNET_DOWN("lnet-down", true, true),
        /** The role's health agent cannot reach CloudWatch for the window, while Lustre is fine: the false positive. */
        AGENT_SILENT("agent-silent", true, true),
        /** An operator's planned move of the role to a ready standby (docs/operations.md, "Moving a role"). */
        MOVE("move", true, false),
        /** The role's owner cannot unmount (a umount stuck in the kernel): a planned move must fall back to fencing it. */
        UNMOUNT_HANGS("unmount-hangs", true, false);

        public final String wire;
        final boolean needsRole;
        final boolean needsSeconds;

        Kind(String wire, boolean needsRole, boolean needsSeconds) {
            this.wire = wire;
            this.needsRole = needsRole;
            this.needsSeconds = needsSeconds;
        }

        /** Whether the kind can be tied to a step, and whether it must be. */
        boolean stepOptional() {
            return this == TERMINATE || this == STOP || this == HANG || this == THROTTLE;
        }

        boolean stepRequired() {
            return this == RECOVER || this == LOSE_RESPONSE;
        }

        /** A fault the server's health agent sees (or, agent-silent, that silences it); EC2 sees nothing. */
        boolean health() {
            return this == LUSTRE_UNHEALTHY || this == TARGET_READONLY || this == LNET_DOWN || this == AGENT_SILENT;
        }

        static String names() {
            return Arrays.stream(values()).map(k -> k.wire).collect(Collectors.joining(", "));
        }
    }

    /** The handover steps a fault can be tied to: the state machine's Task states. */
    public static final List<String> STEPS = List.of("Claim", "Fence", "Detach", "Attach", "Record", "Complete");

    /** Whom a fault tied to a step hits: the instance the handover is for, or the role's previous owner. */
    public enum Target {
        INCOMING("incoming"), OUTGOING("outgoing");

        public final String wire;

        Target(String wire) {
            this.wire = wire;
        }
    }

    /**
     * One fault.
     *
     * @param at virtual seconds after every role first served; for a fault tied to a step, from when
     *     it is armed
     * @param role the role whose current owner (or volumes) the fault hits; null for kinds without
     *     one. For a fault tied to a step: only handovers of this role (null: any handover)
     * @param seconds how long the fault's window lasts; 0 for instant faults
     * @param step null, or the handover step (a Task state) at whose next invocation after {@code at}
     *     the fault strikes, just before the function runs (a lost response: just after)
     * @param target whom a fault tied to a step hits; null otherwise
     */
    public record Fault(double at, Kind kind, String role, double seconds, String step, Target target) {

        public Fault(double at, Kind kind, String role, double seconds) {
            this(at, kind, role, seconds, null, null);
        }

        /** When the fault's window ends (its moment, for an instant fault). */
        public double endsAt() {
            return at + seconds;
        }

        public String describe() {
            StringBuilder s = new StringBuilder(kind.wire);
            if (target != null && kind != Kind.THROTTLE && kind != Kind.LOSE_RESPONSE) {
                s.append(' ').append(target.wire).append(" server");
            }
            if (role != null) {
                s.append(step == null ? " " : " of ").append(role);
            }
            if (kind.needsSeconds) {
                s.append(" for ").append(Format.seconds(seconds));
            }
            if (step != null) {
                s.append(" at the next ").append(step).append(" step");
            }
            return s.toString();
        }
    }

    /**
     * @param allServingWithin virtual seconds after the last fault's window ended
     * @param moves for the roles named: exactly how many times each moved to another server after
     *     every role first served (from the cloud's history: its ENI attached to a new instance)
     * @param neverAlarmed roles whose health alarm must never leave OK after every role first served
     * @param held roles the health trigger must hold for a person (flap damping) just before the last
     *     fault's window ends, with their alarm raised
     */
    public record Expect(double allServingWithin, Map<String, Integer> moves, List<String> neverAlarmed,
            List<String> held) {

        public Expect {
            moves = Map.copyOf(moves);
            neverAlarmed = List.copyOf(neverAlarmed);
            held = List.copyOf(held);
        }

        public Expect(double allServingWithin) {
            this(allServingWithin, Map.of(), List.of(), List.of());
        }
    }

    /** An invalid scenario: {@code field} is the path of the bad field, e.g. {@code faults[1].kind}. */
    public static final class Invalid extends Exception {
        private final String field;

        Invalid(String field, String problem) {
            super(field.isEmpty() ? problem : field + ": " + problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Up to a day of virtual time per fault: a local run is a rehearsal, not a soak test. */
    static final double MAX_SECONDS = 86_400;
    static final int MAX_MDS = 8;
    static final int MAX_OSS = 32;
    static final int MAX_STANDBYS = 8;
    private static final Pattern AZ = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d[a-z]");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses and validates a scenario file's text. */
    public static Scenario parse(String text) throws Invalid {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonParseException e) {
            throw new Invalid("", "not valid JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (JsonProcessingException e) {
            throw new Invalid("", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new Invalid("", "the file is empty");
        }
        Obj top = Obj.of(root, "");
        top.only("name", "seed", "latency", "fileSystem", "faults", "expect");
        String name = top.text("name");
        if (name.isBlank() || name.length() > 100) {
            throw new Invalid("name", "must be 1-100 characters");
        }
        long seed = top.has("seed") ? top.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE) : 1;
        LatencyProfile latency = LatencyProfile.AWS;
        if (top.has("latency")) {
            String l = top.text("latency");
            latency = Arrays.stream(LatencyProfile.values()).filter(p -> p.wire.equals(l)).findFirst()
                    .orElseThrow(() -> new Invalid("latency", "'" + l + "' is not a latency profile (expected zero or aws)"));
        }
        FileSystem fs = fileSystem(top.object("fileSystem"));
        List<String> roles = fs.spec().roles().stream().map(RoleId::value).toList();
        List<Fault> faults = new ArrayList<>();
        if (top.has("faults")) {
            JsonNode list = top.node.get("faults");
            if (!list.isArray()) {
                throw new Invalid("faults", "expected an array of faults, got " + kindOf(list));
            }
            for (int i = 0; i < list.size(); i++) {
                faults.add(fault(Obj.of(list.get(i), "faults[" + i + "]"), fs, roles));
            }
        }
        Obj expect = top.object("expect");
        expect.only("allServingWithin", "moves", "neverAlarmed", "held");
        double within = expect.number("allServingWithin");
        if (within <= 0 || within > MAX_SECONDS) {
            throw new Invalid("expect.allServingWithin", Format.number(within) + " is out of range: 0 < seconds <= "
                    + Format.number(MAX_SECONDS));
        }
        Map<String, Integer> moves = new TreeMap<>();
        if (expect.has("moves")) {
            Obj m = expect.object("moves");
            for (Iterator<String> it = m.node.fieldNames(); it.hasNext(); ) {
                String role = it.next();
                requireRole(m.path(role), role, fs, roles);
                moves.put(role, (int) m.integer(role, 0, 1000));
            }
        }
        return new Scenario(name, seed, latency, fs, List.copyOf(faults), new Expect(within, moves,
                roleList(expect, "neverAlarmed", fs, roles), roleList(expect, "held", fs, roles)));
    }

    private static List<String> roleList(Obj o, String field, FileSystem fs, List<String> roles) throws Invalid {
        if (!o.has(field)) {
            return List.of();
        }
        JsonNode list = o.node.get(field);
        if (!list.isArray()) {
            throw new Invalid(o.path(field), "expected an array of roles, got " + kindOf(list));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = o.path(field) + "[" + i + "]";
            if (!list.get(i).isTextual()) {
                throw new Invalid(path, "expected a role, got " + kindOf(list.get(i)));
            }
            requireRole(path, list.get(i).asText(), fs, roles);
            out.add(list.get(i).asText());
        }
        return out;
    }

    private static void requireRole(String path, String role, FileSystem fs, List<String> roles) throws Invalid {
        if (!roles.contains(role)) {
            throw new Invalid(path, "'" + role + "' is not a role of " + fs.name() + " (its roles: " + roleList(roles)
                    + ")");
        }
    }

    private static FileSystem fileSystem(Obj o) throws Invalid {
        o.only("name", "az", "mds", "oss", "volumesPerOss", "standbys");
        String name = o.text("name");
        try {
            new FileSystemName(name);
        } catch (IllegalArgumentException e) {
            throw new Invalid(o.path("name"), fsNameProblem(name));
        }
        String az = o.text("az");
        if (!AZ.matcher(az).matches()) {
            throw new Invalid(o.path("az"), "'" + az + "' is not an Availability Zone name (e.g. us-east-1a)");
        }
        int mds = (int) o.integer("mds", 1, MAX_MDS);
        int oss = (int) o.integer("oss", 1, MAX_OSS);
        int volumes = (int) o.integer("volumesPerOss", 1, 11);
        int standbys = o.has("standbys") ? (int) o.integer("standbys", 0, MAX_STANDBYS) : 0;
        return new FileSystem(name, az, mds, oss, volumes, standbys);
    }

    /** Why a name is not a Lustre fsname, in the words a user needs to fix it. */
    private static String fsNameProblem(String name) {
        if (name.isEmpty()) {
            return "must not be empty (a Lustre fsname has 1-8 characters)";
        }
        if (name.length() > 8) {
            return "'" + name + "' is too long: a Lustre fsname has at most 8 characters (it is " + name.length() + ")";
        }
        char first = name.charAt(0);
        if (!(first >= 'a' && first <= 'z') && !(first >= 'A' && first <= 'Z')) {
            return "'" + name + "' must start with a letter (a-z, A-Z)";
        }
        return "'" + name + "' may hold only letters, digits and '_' (no '-': Lustre uses it in target labels)";
    }

    private static Fault fault(Obj o, FileSystem fs, List<String> roles) throws Invalid {
        o.only("at", "kind", "role", "seconds", "step", "target");
        double at = o.number("at");
        if (at < 0) {
            throw new Invalid(o.path("at"), Format.number(at) + " is negative: fault times count forward from the moment "
                    + "every role first served");
        }
        if (at > MAX_SECONDS) {
            throw new Invalid(o.path("at"), Format.number(at) + " is too late: at most " + Format.number(MAX_SECONDS) + " s");
        }
        String k = o.text("kind");
        Kind kind = Arrays.stream(Kind.values()).filter(x -> x.wire.equals(k)).findFirst()
                .orElseThrow(() -> new Invalid(o.path("kind"), "unknown kind '" + k + "' (expected one of " + Kind.names()
                        + ")"));
        String step = null;
        Target target = null;
        if (o.has("step")) {
            if (!kind.stepOptional() && !kind.stepRequired()) {
                throw new Invalid(o.path("step"), "kind " + kind.wire + " cannot be tied to a step: remove the field");
            }
            step = o.text("step");
            if (!STEPS.contains(step)) {
                throw new Invalid(o.path("step"), "'" + step + "' is not a handover step (expected one of "
                        + String.join(", ", STEPS) + ")");
            }
            target = kind == Kind.RECOVER ? Target.OUTGOING : Target.INCOMING;
            if (o.has("target")) {
                String t = o.text("target");
                target = Arrays.stream(Target.values()).filter(x -> x.wire.equals(t)).findFirst()
                        .orElseThrow(() -> new Invalid(o.path("target"), "'" + t + "' is not a target (expected incoming "
                                + "or outgoing)"));
            }
        } else if (kind.stepRequired()) {
            throw new Invalid(o.path("step"), "missing: kind " + kind.wire + " strikes at a handover step (one of "
                    + String.join(", ", STEPS) + ")");
        } else if (o.has("target")) {
            throw new Invalid(o.path("target"), "only a fault tied to a step has a target: remove the field");
        }
        String role = null;
        if (kind.needsRole && step == null) {
            if (!o.has("role")) {
                throw new Invalid(o.path("role"), "missing: kind " + kind.wire + " needs the role it hits (one of "
                        + roleList(roles) + ")");
            }
            role = o.text("role");
        } else if (o.has("role") && step == null) {
            throw new Invalid(o.path("role"), "kind " + kind.wire + " hits no single role: remove the field");
        } else if (o.has("role")) {
            role = o.text("role");
        }
        if (role != null && !roles.contains(role)) {
            throw new Invalid(o.path("role"), "'" + role + "' is not a role of " + fs.name() + " (its roles: "
                    + roleList(roles) + ")");
        }
        double seconds = 0;
        if (kind.needsSeconds) {
            if (!o.has("seconds")) {
                throw new Invalid(o.path("seconds"), "missing: kind " + kind.wire + " needs how long its window lasts");
            }
            seconds = o.number("seconds");
            if (seconds <= 0 || seconds > MAX_SECONDS) {
                throw new Invalid(o.path("seconds"), Format.number(seconds) + " is out of range: 0 < seconds <= "
                        + Format.number(MAX_SECONDS));
            }
        } else if (o.has("seconds")) {
            throw new Invalid(o.path("seconds"), "kind " + kind.wire + " is instant and has no duration: remove the field");
        }
        return new Fault(at, kind, role, seconds, step, target);
    }

    /** The scenario as a file {@link #parse} reads back to an equal scenario. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("seed", seed);
        root.put("latency", latency.wire);
        ObjectNode fs = root.putObject("fileSystem");
        fs.put("name", fileSystem.name());
        fs.put("az", fileSystem.az());
        fs.put("mds", fileSystem.mds());
        fs.put("oss", fileSystem.oss());
        fs.put("volumesPerOss", fileSystem.volumesPerOss());
        fs.put("standbys", fileSystem.standbys());
        ArrayNode list = root.putArray("faults");
        for (Fault f : faults) {
            ObjectNode o = list.addObject();
            o.put("at", f.at());
            o.put("kind", f.kind().wire);
            if (f.role() != null) {
                o.put("role", f.role());
            }
            if (f.kind().needsSeconds) {
                o.put("seconds", f.seconds());
            }
            if (f.step() != null) {
                o.put("step", f.step());
                o.put("target", f.target().wire);
            }
        }
        ObjectNode expected = root.putObject("expect");
        expected.put("allServingWithin", expect.allServingWithin());
        if (!expect.moves().isEmpty()) {
            ObjectNode m = expected.putObject("moves");
            expect.moves().forEach(m::put);
        }
        if (!expect.neverAlarmed().isEmpty()) {
            expect.neverAlarmed().forEach(expected.putArray("neverAlarmed")::add);
        }
        if (!expect.held().isEmpty()) {
            expect.held().forEach(expected.putArray("held")::add);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a scenario is always JSON", e);
        }
    }

    private static String roleList(List<String> roles) {
        List<String> oss = roles.stream().filter(r -> r.startsWith("oss")).toList();
        List<String> others = roles.stream().filter(r -> !r.startsWith("oss"))
                .collect(Collectors.toCollection(ArrayList::new));
        if (oss.size() > 2) {
            others.add(oss.get(0) + ".." + oss.get(oss.size() - 1));
        } else {
            others.addAll(oss);
        }
        return String.join(", ", others);
    }

    private static String kindOf(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "the string \"" + n.asText() + "\"";
            case BOOLEAN -> n.asText();
            case NUMBER -> "the number " + n.asText();
            default -> n.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }

    /** A JSON object at a path, with typed, validated field access. */
    private record Obj(JsonNode node, String at) {

        static Obj of(JsonNode node, String path) throws Invalid {
            if (node == null || !node.isObject()) {
                throw new Invalid(path, "expected an object, got " + kindOf(node));
            }
            return new Obj(node, path);
        }

        String path(String field) {
            return at.isEmpty() ? field : at + "." + field;
        }

        boolean has(String field) {
            return node.has(field);
        }

        void only(String... fields) throws Invalid {
            Set<String> known = Set.of(fields);
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!known.contains(f)) {
                    throw new Invalid(path(f), "unknown field (expected " + String.join(", ", fields) + ")");
                }
            }
        }

        JsonNode required(String field) throws Invalid {
            JsonNode v = node.get(field);
            if (v == null) {
                throw new Invalid(path(field), "missing");
            }
            return v;
        }

        Obj object(String field) throws Invalid {
            return Obj.of(required(field), path(field));
        }

        String text(String field) throws Invalid {
            JsonNode v = required(field);
            if (!v.isTextual()) {
                throw new Invalid(path(field), "expected a string, got " + kindOf(v));
            }
            return v.asText();
        }

        double number(String field) throws Invalid {
            JsonNode v = required(field);
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw new Invalid(path(field), "expected a number of seconds, got " + kindOf(v));
            }
            return v.asDouble();
        }

        long integer(String field, long min, long max) throws Invalid {
            JsonNode v = required(field);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new Invalid(path(field), "expected a whole number, got " + kindOf(v));
            }
            long n = v.asLong();
            if (n < min || n > max) {
                throw new Invalid(path(field), n + " is out of range " + min + ".." + max);
            }
            return n;
        }
    }
}
