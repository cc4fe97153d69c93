package dev.lustreha.history;

import java.time.Instant;

/**
 * One handover as it ended: who took the role from whom, at which epoch, how it ended, and how
 * long each phase took (seconds; null when the phase never happened).
 *
 * @param outcome SERVING or FAILED
 */
public record HandoverRecord(String fileSystem, String roleId, String execution, String fromInstance,
        String toInstance, long epoch, String outcome, Instant startedAt, Instant completedAt, Double fenceSeconds,
        Double detachSeconds, Double attachSeconds, Double totalSeconds, String reason) {
}
