package dev.lustreha.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Config;
import dev.lustreha.config.Json;
import dev.lustreha.domain.HealthPolicy;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.health.HealthAlarms;
import dev.lustreha.observe.Emf;
import dev.lustreha.roles.HealthStore;
import dev.lustreha.roles.RoleStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A role's health alarm changed state ({@code CloudWatch Alarm State Change} from
 * {@code aws.cloudwatch}). On ALARM it re-reads the role (strongly consistent) and lets {@link
 * HealthPolicy} decide: a move orphans the role under its owner and epoch, only while it is SERVING
 * and mounted at that epoch, and fails it over as the state-change trigger does (the reconciler:
 * a ready standby, else the owner's group replaces it); the handover fences the owner before it
 * detaches anything, so a false alarm costs a forced stop and a move, never two writers.
 *
 * <p>Which epoch the alarm is about comes from time: the alarm's evaluation window is read from the
 * datapoint times the event carries ({@code state.reasonData}: {@code startDate} and each
 * {@code evaluatedDatapoints[].timestamp}) and taken as starting {@code periods - 1} periods before
 * the newest of them, or at the oldest, whichever is earlier. An event that names no datapoint
 * time cannot be placed and is rejected.
 */
public final class HealthTrigger {

    static final String DETAIL_TYPE = "CloudWatch Alarm State Change";
    /** CloudWatch's time format in reasonData, e.g. {@code 2019-10-02T16:59:00.000+0000}. */
    private static final DateTimeFormatter REASON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private final Config config;
    private final RoleStore store;
    private final HealthStore health;
    private final HealthAlarms alarms;
    private final Failover failover;
    private final HealthPolicy policy;
    private final HealthAlarmSpec spec;
    private final Clock clock;
    private final Consumer<String> metrics;

    public HealthTrigger(Config config, RoleStore store, HealthStore health, HealthAlarms alarms, Failover failover,
            HealthPolicy policy, HealthAlarmSpec spec, Clock clock, Consumer<String> metrics) {
        this.config = config;
        this.store = store;
        this.health = health;
        this.alarms = alarms;
        this.failover = failover;
        this.policy = policy;
        this.spec = spec;
        this.clock = clock;
        this.metrics = metrics;
    }

    public TriggerResult handle(JsonNode event) {
        if (event == null || !event.isObject()) {
            return TriggerResult.rejected("the event is not a JSON object");
        }
        if (!"aws.cloudwatch".equals(Events.text(event, "source").orElse(""))
                || !DETAIL_TYPE.equals(Events.text(event, "detail-type").orElse(""))) {
            return TriggerResult.rejected("not a CloudWatch Alarm State Change");
        }
        JsonNode d = event.get("detail");
        if (d == null || !d.isObject()) {
            return TriggerResult.rejected("alarm state change without a detail object");
        }
        Optional<String> name = Events.text(d, "alarmName");
        if (name.isEmpty()) {
            return TriggerResult.rejected("alarmName missing or not text: " + d.get("alarmName"));
        }
        Optional<RoleId> roleId = HealthAlarmSpec.roleOf(config.fileSystem(), name.get());
        if (roleId.isEmpty()) {
            return TriggerResult.ignored("alarm " + name.get() + " is not a health alarm of " + config.fileSystem(), null);
        }
        JsonNode state = d.get("state");
        Optional<String> value = state == null || !state.isObject() ? Optional.empty() : Events.text(state, "value");
        if (value.isEmpty() || !List.of("OK", "ALARM", "INSUFFICIENT_DATA").contains(value.get())) {
            return TriggerResult.rejected("state.value missing or unknown: " + (state == null ? null : state.get("value")));
        }
        if (!"ALARM".equals(value.get())) {
            return new TriggerResult("NOOP", name.get() + " is " + value.get() + ": a health signal that cleared costs "
                    + "nothing", null, null);
        }
        Optional<Instant> windowStart = windowStart(state);
        if (windowStart.isEmpty()) {
            return TriggerResult.rejected("state.reasonData of " + name.get() + " names no datapoint time: the alarm's "
                    + "window cannot be placed against the role's epochs");
        }
        RoleKey key = new RoleKey(config.fileSystem(), roleId.get());
        Optional<Role> role = store.load(key);
        if (role.isEmpty()) {
            return TriggerResult.ignored("no role " + roleId.get() + " in " + config.fileSystem(), null);
        }
        Instant now = clock.instant();
        return switch (policy.decide(role.get(), windowStart.get(), now)) {
            case HealthPolicy.Ignore i -> {
                if (i.rearm()) {
                    alarms.rearm(name.get(), "lustre-ha re-armed: " + i.reason());
                }
                yield new TriggerResult("NOOP", i.reason() + (i.rearm() ? "; alarm re-armed" : ""),
                        role.get().owner().orElse(null), null);
            }
            case HealthPolicy.Hold h -> hold(key, h, now);
            case HealthPolicy.Move m -> move(key, m, now);
        };
    }

    private TriggerResult move(RoleKey key, HealthPolicy.Move m, Instant now) {
        try {
            health.orphanOnHealth(key, m.owner(), m.epoch(), m.failovers(), m.reason());
        } catch (StaleEpochException | RoleStateConflictException moved) {
            // Claimed anew, orphaned, or no longer mounted since we read it: its new owner is not ours to move.
            return new TriggerResult("NOOP", key.id() + " moved on since it was read: " + moved.getMessage(), m.owner(),
                    null);
        }
        metrics.accept(Emf.document(now, config.fileSystem().value(), Map.of("HealthFailovers", Emf.Metric.count(1)),
                Map.of("role", key.id().value(), "instance", m.owner())));
        String failedOver = failover.failOver(m.owner(), List.of(key.id().value()));
        return new TriggerResult("ORPHANED", key.id() + " orphaned under epoch " + m.epoch() + " (" + m.reason() + "); "
                + failedOver, m.owner(), null);
    }

    private TriggerResult hold(RoleKey key, HealthPolicy.Hold h, Instant now) {
        try {
            health.holdOnHealth(key, h.owner(), h.epoch(), h.reason());
        } catch (StaleEpochException | RoleStateConflictException moved) {
            return new TriggerResult("NOOP", key.id() + " moved on since it was read: " + moved.getMessage(), h.owner(),
                    null);
        }
        metrics.accept(Emf.document(now, config.fileSystem().value(),
                Map.of("HealthFailoversDamped", Emf.Metric.count(1)),
                Map.of("role", key.id().value(), "instance", h.owner(), "reason", h.reason())));
        return new TriggerResult("HELD", key.id() + ": " + h.reason(), h.owner(), null);
    }

    /**
     * Where the evaluation window began: {@code periods - 1} periods before the newest datapoint
     * time in reasonData, or the oldest such time if that is earlier. Empty when reasonData is
     * missing, not JSON, or names no time.
     */
    Optional<Instant> windowStart(JsonNode state) {
        Optional<String> reasonData = Events.text(state, "reasonData");
        if (reasonData.isEmpty()) {
            return Optional.empty();
        }
        JsonNode data;
        try {
            data = Json.MAPPER.readTree(reasonData.get());
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (data == null || !data.isObject()) {
            return Optional.empty();
        }
        List<Instant> times = new ArrayList<>();
        Events.text(data, "startDate").flatMap(HealthTrigger::time).ifPresent(times::add);
        JsonNode evaluated = data.get("evaluatedDatapoints");
        if (evaluated != null && evaluated.isArray()) {
            for (JsonNode p : evaluated) {
                if (p != null && p.isObject()) {
                    Events.text(p, "timestamp").flatMap(HealthTrigger::time).ifPresent(times::add);
                }
            }
        }
        if (times.isEmpty()) {
            return Optional.empty();
        }
        Instant newest = times.stream().max(Instant::compareTo).orElseThrow();
        Instant oldest = times.stream().min(Instant::compareTo).orElseThrow();
        Instant fromNewest = newest.minus(Duration.ofSeconds((long) (spec.periods() - 1) * HealthAlarmSpec.PERIOD_SECONDS));
        return Optional.of(fromNewest.isBefore(oldest) ? fromNewest : oldest);
    }

    /** A reasonData time: CloudWatch's own format, or ISO-8601 with an offset or Z. */
    static Optional<Instant> time(String text) {
        for (DateTimeFormatter f : List.of(REASON_TIME, DateTimeFormatter.ISO_OFFSET_DATE_TIME)) {
            try {
                return Optional.of(OffsetDateTime.parse(text, f).toInstant());
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        return Optional.empty();
    }
}
