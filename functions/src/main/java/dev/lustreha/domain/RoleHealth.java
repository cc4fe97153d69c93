package dev.lustreha.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the roles table says about a role's health, beside its ownership.
 *
 * @param mountedEpoch the epoch at which the owner's bootstrap last reported the role's targets
 *     mounted ({@code mountedEpoch} in the item, written by {@code instance/lustre-ha-bootstrap})
 * @param mountedAt when it did: from then on every health datapoint of the role, and every missing
 *     one, is about the owner of {@code mountedEpoch}
 * @param failovers when the health trigger moved the role automatically, oldest first (only those
 *     inside the damping window are kept)
 * @param hold why the health trigger declined to move the role again (flap damping), empty when it
 *     did not
 * @param releaseEpoch a planned move asked the owner at this epoch to unmount and let the role go
 *     ({@code releaseEpoch}, written by the workflow's RequestRelease step)
 * @param unmountedEpoch the owner at this epoch confirmed it unmounted the role's targets
 *     ({@code unmountedEpoch}, written by the server under owner and epoch, with the state RELEASED)
 */
public record RoleHealth(Optional<Long> mountedEpoch, Optional<Instant> mountedAt, List<Instant> failovers,
        Optional<String> hold, Optional<Long> releaseEpoch, Optional<Long> unmountedEpoch) {

    public static final RoleHealth NONE = new RoleHealth(Optional.empty(), Optional.empty(), List.of(), Optional.empty());

    /** A role no planned move has touched. */
    public RoleHealth(Optional<Long> mountedEpoch, Optional<Instant> mountedAt, List<Instant> failovers,
            Optional<String> hold) {
        this(mountedEpoch, mountedAt, failovers, hold, Optional.empty(), Optional.empty());
    }

    public RoleHealth {
        failovers = List.copyOf(failovers);
        if (mountedEpoch.isPresent() != mountedAt.isPresent()) {
            throw new IllegalArgumentException("mountedEpoch and mountedAt come together");
        }
    }

    /** True when the owner at {@code epoch} confirmed its targets unmounted for a planned move. */
    public boolean unmountedAt(long epoch) {
        return unmountedEpoch.filter(e -> e == epoch).isPresent();
    }

    /** When the targets were mounted at {@code epoch}, if they were. */
    public Optional<Instant> mountedAt(long epoch) {
        return mountedEpoch.filter(e -> e == epoch).flatMap(e -> mountedAt);
    }
}
