package dev.lustreha.sim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lustreha.config.Json;
import dev.lustreha.sim.LocalCloud;
import dev.lustreha.steps.HandoverState;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last state each workflow execution's steps returned, by execution name. A failed execution
 * ends without output (its Fail state keeps only the error), so this is where a failed handover's
 * role and phase timings are found.
 */
final class StepLog {

    private final Map<String, HandoverState> latest = new ConcurrentHashMap<>();

    static StepLog attach(LocalCloud cloud) {
        StepLog log = new StepLog();
        cloud.onStepOutput((function, json) -> parse(json).ifPresent(s -> {
            if (s.input() != null && s.input().executionName() != null) {
                log.latest.put(s.input().executionName(), s);
            }
        }));
        return log;
    }

    Optional<HandoverState> latest(String executionName) {
        return Optional.ofNullable(latest.get(executionName));
    }

    /** A step's output as a HandoverState; empty for anything else (a handler's error document). */
    static Optional<HandoverState> parse(String json) {
        try {
            return Optional.ofNullable(Json.MAPPER.readValue(json, HandoverState.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
