package dev.lustreha.steps;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lustreha.domain.Volume;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one handover (or release) execution, as it travels through the state machine: each
 * step receives the whole state and returns it with its own part filled in (JSONPath
 * {@code ResultPath: "$"}), and the Choice states read the parts ({@code $.fence.fenced}, ...).
 * Unknown fields are ignored, so an execution started by an older version keeps running.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HandoverState(
        Input input,
        Claim claim,
        Fence fence,
        Detach detach,
        Attach attach,
        Timings timings,
        Instant heartbeatAt,
        String outcome,
        @JsonProperty("error") StepError error,
        Release release) {

    /** A handover that is not a planned move (no release phase). */
    public HandoverState(Input input, Claim claim, Fence fence, Detach detach, Attach attach, Timings timings,
            Instant heartbeatAt, String outcome, StepError error) {
        this(input, claim, fence, detach, attach, timings, heartbeatAt, outcome, error, null);
    }

    /** What the trigger knows from the lifecycle event. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Input(String fileSystem, String instanceId, String roleType, String autoScalingGroupName,
            String lifecycleHookName, String lifecycleActionToken, String transition, String executionName, Poll poll,
            Move move) {

        public Input(String fileSystem, String instanceId, String roleType, String autoScalingGroupName,
                String lifecycleHookName, String lifecycleActionToken, String transition, String executionName, Poll poll) {
            this(fileSystem, instanceId, roleType, autoScalingGroupName, lifecycleHookName, lifecycleActionToken,
                    transition, executionName, poll, null);
        }
    }

    /**
     * A planned move (docs/design.md §3, "Planned moves"): before this instance claims anything, the
     * owner of {@code roleId} at {@code epoch} is asked to unmount and let the role go; if it has not
     * confirmed within {@code releaseTimeoutSeconds}, the role is marked ORPHANED and the claim fences
     * the owner as in a failover.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Move(String roleId, String owner, long epoch, int releaseTimeoutSeconds, int pollSeconds) {

        public static final int DEFAULT_RELEASE_TIMEOUT_SECONDS = 120;
        public static final int DEFAULT_POLL_SECONDS = 5;
    }

    /**
     * The release phase of a planned move: asked at {@code requestedAt}; {@code done} once it ended,
     * {@code confirmed} when the owner reported its targets unmounted in time, {@code fellBack} when
     * it did not and the role was marked ORPHANED for the fenced path.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Release(boolean done, boolean confirmed, boolean fellBack, Instant requestedAt, int polls,
            int waitSeconds, String note) {
    }

    /**
     * Poll intervals and bounds, in seconds. They travel in the input so tests and the local cloud
     * can shorten them without another deployment.
     */
    public record Poll(int fenceSeconds, int detachSeconds, int attachSeconds, int heartbeatSeconds,
            int fenceTimeoutSeconds, int detachStuckSeconds, int moveTimeoutSeconds) {

        public static Poll defaults() {
            return new Poll(5, 2, 2, 120, 600, 120, 900);
        }
    }

    /** RELEASING: a planned move still waits for the owner to let the role go; nothing is claimed yet. */
    public enum ClaimOutcome { CLAIMED, STANDBY, GONE, RELEASING }

    /** The claim: which role, at which epoch, from whom, and its resources. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Claim(ClaimOutcome outcome, String roleId, Long epoch, String previousOwner, Boolean needsFormat,
            String availabilityZone, String eniId, String privateIp, List<Volume> volumes, Boolean resumed,
            Boolean wasStandby, Boolean previousReleased) {

        public Claim(ClaimOutcome outcome, String roleId, Long epoch, String previousOwner, Boolean needsFormat,
                String availabilityZone, String eniId, String privateIp, List<Volume> volumes, Boolean resumed,
                Boolean wasStandby) {
            this(outcome, roleId, epoch, previousOwner, needsFormat, availabilityZone, eniId, privateIp, volumes, resumed,
                    wasStandby, null);
        }

        /**
         * The previous owner confirmed, at the epoch before this claim, that it unmounted the role's
         * targets (a planned move): it is not stopped, and its attachments are detached without Force.
         */
        public boolean releasedBy(String instance) {
            return Boolean.TRUE.equals(previousReleased) && instance.equals(previousOwner);
        }

        /** The servers the fence and the detach let go instead of forcing: the previous owner, if it unmounted. */
        public Set<String> released() {
            return previousOwner != null && releasedBy(previousOwner) ? Set.of(previousOwner) : Set.of();
        }
    }

    /*
     * Each polling phase says how long its Wait state waits before the next poll (waitSeconds, what the
     * state machine's SecondsPath reads): the poll interval, or after polls that EC2 throttled
     * (throttledPolls in a row) a longer, jittered one.
     */

    /**
     * Fencing progress: who must be stopped, who was sent a forced stop, who is still not fenced;
     * {@code resourcesFree}: the poll saw none of the role's resources attached to another instance,
     * so once fenced there is nothing to detach (the state machine goes straight to Attach).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Fence(boolean fenced, List<String> holders, List<String> stopsSent, List<String> waitingOn,
            Instant startedAt, int polls, int throttledPolls, int waitSeconds, boolean resourcesFree) {
    }

    /** Detach progress; {@code detachingSince} tells when each resource was first asked to detach. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detach(boolean done, Map<String, Instant> detachingSince, List<String> forced, Instant startedAt,
            int polls, int throttledPolls, int waitSeconds) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Attach(boolean done, Instant startedAt, int polls, int throttledPolls, int waitSeconds) {
    }

    /** When each phase ended, from the cloud's clock. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Timings(Instant startedAt, Instant claimedAt, Instant fencedAt, Instant detachedAt,
            Instant attachedAt, Instant servingAt, Instant completedAt) {

        public static Timings startingAt(Instant t) {
            return new Timings(t, null, null, null, null, null, null);
        }
    }

    /** What a Catch puts at {@code $.error}: Step Functions' own field names. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StepError(@JsonProperty("Error") String error, @JsonProperty("Cause") String cause) {
    }

    public HandoverState withClaim(Claim c) {
        return new HandoverState(input, c, fence, detach, attach, timings, heartbeatAt, outcome, error, release);
    }

    public HandoverState withFence(Fence f) {
        return new HandoverState(input, claim, f, detach, attach, timings, heartbeatAt, outcome, error, release);
    }

    public HandoverState withDetach(Detach d) {
        return new HandoverState(input, claim, fence, d, attach, timings, heartbeatAt, outcome, error, release);
    }

    public HandoverState withAttach(Attach a) {
        return new HandoverState(input, claim, fence, detach, a, timings, heartbeatAt, outcome, error, release);
    }

    public HandoverState withTimings(Timings t) {
        return new HandoverState(input, claim, fence, detach, attach, t, heartbeatAt, outcome, error, release);
    }

    public HandoverState withHeartbeatAt(Instant at) {
        return new HandoverState(input, claim, fence, detach, attach, timings, at, outcome, error, release);
    }

    public HandoverState withOutcome(String o) {
        return new HandoverState(input, claim, fence, detach, attach, timings, heartbeatAt, o, error, release);
    }

    public HandoverState withRelease(Release r) {
        return new HandoverState(input, claim, fence, detach, attach, timings, heartbeatAt, outcome, error, r);
    }

    public Timings timingsOrStart(Instant now) {
        return timings == null ? Timings.startingAt(now) : timings;
    }
}
