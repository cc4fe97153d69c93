package dev.lustreha.history;

import java.time.Instant;

/**
 * One finished handover of a role: who gave it up, who took it, at which epoch, how it ended and
 * how long each phase took (seconds).
 *
 * @param execution the workflow execution that did it
 * @param fromInstance the previous owner, fenced first; null on a role's first claim
 * @param outcome SERVING or FAILED
 * @param reason why it failed; null when it did not
 */
public record HandoverRecord(String fileSystem, String roleId, String execution, String fromInstance,
        String toInstance, long epoch, String outcome, Instant startedAt, Instant completedAt, Double fenceSeconds,
        Double detachSeconds, Double attachSeconds, Double totalSeconds, String reason) {
}
