package dev.lustreha.history;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import java.util.Optional;

/** The record of past handovers, kept for a while (the table's TTL) for operators and the status view. */
public interface HandoverHistory {

    void record(HandoverRecord record);

    /** The most recent handover of a role, if any is still kept. */
    Optional<HandoverRecord> latest(FileSystemName fileSystem, RoleId role);
}
