package dev.lustreha.history;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import java.util.Optional;

/** The record of every handover, newest last; what {@code status} shows as a role's last handover. */
public interface HandoverHistory {

    void record(HandoverRecord r);

    /** The role's handover that completed last, if one is recorded. */
    Optional<HandoverRecord> latest(FileSystemName fs, RoleId role);
}
