package dev.lustreha.sim;

/** What a fault does to a simulated server's health as its agent sees it (or, SILENT, to the agent itself). */
public enum HealthFault {
    /** {@code lctl get_param -n health_check} says NOT HEALTHY. */
    LUSTRE_UNHEALTHY,
    /** One of the role's targets is mounted read-only. */
    TARGET_READONLY,
    /** LNet is down on the server: its NID answers nobody, and it reaches no peer. */
    LNET_DOWN,
    /** The agent cannot reach CloudWatch: it publishes nothing, while Lustre is fine. */
    SILENT
}
