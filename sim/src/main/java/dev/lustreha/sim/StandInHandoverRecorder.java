package dev.lustreha.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lustreha.config.Json;
import dev.lustreha.history.HandoverHistory;
import dev.lustreha.history.HandoverRecord;
import dev.lustreha.steps.HandoverState;
import dev.lustreha.steps.HandoverState.ClaimOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Writes a {@link HandoverRecord} when a handover's record step returns SERVING, or its
 * compensation FAILED, from the step's output. A stand-in: the production writer of handover
 * records, in the handover steps themselves, is being built separately; when it lands this class
 * and its one use in {@link LocalCloud} go.
 */
final class StandInHandoverRecorder {

    private StandInHandoverRecorder() {
    }

    static void attach(LocalCloud cloud, HandoverHistory history, Clock clock) {
        cloud.onStepOutput((function, json) -> {
            HandoverState s;
            try {
                s = Json.MAPPER.readValue(json, HandoverState.class);
            } catch (JsonProcessingException notAState) {
                return;
            }
            if (s == null || s.input() == null || s.claim() == null || s.claim().outcome() != ClaimOutcome.CLAIMED
                    || s.timings() == null) {
                return;
            }
            HandoverState.Timings t = s.timings();
            if (function.equals("RecordFunction") && "SERVING".equals(s.outcome())) {
                history.record(record(s, t.servingAt(), "SERVING", null));
            } else if (function.equals("CompensateFunction") && "FAILED".equals(s.outcome())) {
                String reason = s.error() == null ? null : s.error().error() + ": " + s.error().cause();
                history.record(record(s, clock.instant(), "FAILED", reason));
            }
        });
    }

    private static HandoverRecord record(HandoverState s, Instant completedAt, String outcome, String reason) {
        HandoverState.Timings t = s.timings();
        return new HandoverRecord(s.input().fileSystem(), s.claim().roleId(), s.input().executionName(),
                s.claim().previousOwner(), s.input().instanceId(), s.claim().epoch(), outcome, t.startedAt(),
                completedAt, seconds(t.claimedAt(), t.fencedAt()), seconds(t.fencedAt(), t.detachedAt()),
                seconds(t.detachedAt(), t.attachedAt()), seconds(t.startedAt(), completedAt), reason);
    }

    private static Double seconds(Instant from, Instant to) {
        return from == null || to == null ? null : Math.round(Duration.between(from, to).toMillis() / 100.0) / 10.0;
    }
}
