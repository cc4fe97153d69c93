package dev.lustreha.domain;

/** EC2 instance states, as DescribeInstances names them. */
public enum InstanceState {
    PENDING("pending"),
    RUNNING("running"),
    STOPPING("stopping"),
    STOPPED("stopped"),
    SHUTTING_DOWN("shutting-down"),
    TERMINATED("terminated");

    private final String wire;

    InstanceState(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static InstanceState ofWire(String value) {
        for (InstanceState s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown instance state '" + value + "'");
    }

    /** Fenced: EC2 says stopped or terminated. Nothing less can be trusted to hold no I/O. */
    public boolean isFenced() {
        return this == STOPPED || this == TERMINATED;
    }

    /** Whether StopInstances (with Force) applies: a running or stopping instance. */
    public boolean isStoppable() {
        return this == RUNNING || this == STOPPING;
    }
}
