package dev.lustreha.config;

import dev.lustreha.domain.HealthPolicy;
import dev.lustreha.health.HealthAlarmSpec;
import java.time.Duration;
import java.util.function.Function;

/**
 * The health detection's settings, from the function's environment (template.yaml sets them from
 * the parameters HealthAlarmDatapoints, HealthAlarmPeriods, MaxFailoversPerWindow and
 * FailoverWindowMinutes); the defaults are the template's.
 */
public record HealthSettings(HealthAlarmSpec alarm, HealthPolicy policy) {

    public static final HealthSettings DEFAULTS =
            new HealthSettings(HealthAlarmSpec.DEFAULT, new HealthPolicy(3, Duration.ofMinutes(30)));

    public static HealthSettings from(Function<String, String> env) {
        return new HealthSettings(
                new HealthAlarmSpec(number(env, "HEALTH_ALARM_DATAPOINTS", 3), number(env, "HEALTH_ALARM_PERIODS", 3)),
                new HealthPolicy(number(env, "MAX_FAILOVERS_PER_WINDOW", 3),
                        Duration.ofMinutes(number(env, "FAILOVER_WINDOW_MINUTES", 30))));
    }

    private static int number(Function<String, String> env, String name, int fallback) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " is not a whole number: '" + v + "'");
        }
    }
}
