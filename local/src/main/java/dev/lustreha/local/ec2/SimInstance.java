package dev.lustreha.local.ec2;

import dev.lustreha.local.cloud.SimClock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/** A simulated instance; mutable, guarded by the cloud's lock (the clock). */
final class SimInstance {
    final String id;
    final String reservationId;
    final String subnetId;
    final String vpcId;
    final String az;
    final String instanceType;
    final String imageId;
    final Instant launchTime;
    final Map<String, String> tags = new LinkedHashMap<>();
    String primaryEniId;
    String privateIp;

    InstanceStateName state = InstanceStateName.PENDING;
    String stateReason = "";
    /** When the guest OS is up (bootstrap may run); null until then. */
    Instant bootedAt;
    /** When the instance reached terminated; it stays visible to Describe for an hour. */
    Instant terminatedAt;

    /** Running but its OS is hung: fails status checks and ignores a graceful stop. */
    boolean hung;
    /** The OS never finishes a graceful shutdown: stop without Force stays {@code stopping}. */
    boolean ignoresGracefulStop;
    /** Volumes the guest OS has mounted: a detach without Force leaves them {@code busy}. */
    final Set<String> mounted = new HashSet<>();
    /** A pending transition of this instance (stop, terminate), replaced when a newer one starts. */
    SimClock.Timer transition;

    SimInstance(String id, String reservationId, String subnetId, String vpcId, String az, String instanceType,
            String imageId, Instant launchTime) {
        this.id = id;
        this.reservationId = reservationId;
        this.subnetId = subnetId;
        this.vpcId = vpcId;
        this.az = az;
        this.instanceType = instanceType;
        this.imageId = imageId;
        this.launchTime = launchTime;
    }

    boolean isGone() {
        return state == InstanceStateName.TERMINATED;
    }

    /** Fenced: EC2 says stopped or terminated. Nothing less. */
    boolean isFenced() {
        return state == InstanceStateName.STOPPED || state == InstanceStateName.TERMINATED;
    }
}
