package dev.lustreha.local.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-process EventBridge of the simulated cloud. Events are EventBridge-shaped JSON; each is
 * delivered to every subscriber after a sampled delivery delay, at least once and in any order, as
 * EventBridge does: faults may drop an event or deliver it twice with the copies shuffled.
 *
 * <p>Subscribers run on the clock's thread while it holds the cloud's lock: they must hand work
 * off (start an execution, queue a task) rather than block.
 */
public final class EventBus {

    public static final String ACCOUNT = "000000000000";
    public static final String REGION = "us-east-1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimClock clock;
    private final Faults faults;
    private final Latency latency;
    private final History history;
    private final List<Consumer<JsonNode>> subscribers = new CopyOnWriteArrayList<>();
    private final List<JsonNode> published = new ArrayList<>();

    public EventBus(SimClock clock, Faults faults, Latency latency, History history) {
        this.clock = clock;
        this.faults = faults;
        this.latency = latency;
        this.history = history;
    }

    public void subscribe(Consumer<JsonNode> subscriber) {
        subscribers.add(subscriber);
    }

    /** An EventBridge envelope around {@code detail}, stamped with the current virtual time. */
    public ObjectNode envelope(String source, String detailType, List<String> resources, ObjectNode detail) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", new UUID(faults.random().nextLong(), faults.random().nextLong()).toString());
        event.put("detail-type", detailType);
        event.put("source", source);
        event.put("account", ACCOUNT);
        event.put("time", clock.now().truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", REGION);
        ArrayNode res = event.putArray("resources");
        resources.forEach(res::add);
        event.set("detail", detail);
        return event;
    }

    public static ObjectNode newDetail() {
        return JSON.createObjectNode();
    }

    /** Publishes an event: recorded now, delivered after the delivery delay unless a fault drops it. */
    public void publish(ObjectNode event) {
        synchronized (clock) {
            published.add(event.deepCopy());
            Instant now = clock.now();
            String what = event.path("detail-type").asText();
            if (faults.dropsEventAt(now)) {
                history.record("Events.Dropped", "id", event.path("id").asText(), "detailType", what);
                return;
            }
            int copies = faults.duplicatesEventAt(now) ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                Duration delay = latency.eventDelivery().sample(faults.random());
                if (copies > 1) {
                    // Shuffle the copies with each other and with neighbouring events.
                    delay = delay.plusMillis(faults.random().nextInt(2000));
                }
                JsonNode copy = event.deepCopy();
                clock.schedule(delay, "deliver " + what, () -> deliver(copy));
            }
        }
    }

    private void deliver(JsonNode event) {
        history.record("Events.Delivered", "id", event.path("id").asText(),
                "detailType", event.path("detail-type").asText());
        for (Consumer<JsonNode> s : subscribers) {
            s.accept(event);
        }
    }

    /** Every event published so far (dropped ones included), oldest first. */
    public List<JsonNode> published() {
        synchronized (clock) {
            return List.copyOf(published);
        }
    }
}
