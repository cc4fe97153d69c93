package dev.lustreha.trigger;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a trigger did with one event; returned to EventBridge and logged as one JSON line.
 *
 * @param action STARTED, DUPLICATE, ORPHANED, NOOP, IGNORED (a valid event that is not ours to act
 *     on: a foreign group, a warm pool move) or REJECTED (malformed)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TriggerResult(String action, String reason, String instanceId, String execution) {

    public static TriggerResult ignored(String reason, String instanceId) {
        return new TriggerResult("IGNORED", reason, instanceId, null);
    }

    public static TriggerResult rejected(String reason) {
        return new TriggerResult("REJECTED", reason, null, null);
    }
}
