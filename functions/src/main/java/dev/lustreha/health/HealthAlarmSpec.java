package dev.lustreha.health;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleId;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric contract between the servers' health agent and lustre-ha, and the per-role alarm on it.
 *
 * <p>Each server publishes, every {@value #PERIOD_SECONDS} s while it owns a role at the current
 * epoch with the role's targets mounted at that epoch, one high-resolution datapoint (StorageResolution
 * 1) of {@value #METRIC} in namespace {@value #NAMESPACE}, 1 healthy or 0 not, with dimensions
 * {@code FileSystem} and {@code Role}. The role's alarm, named {@code lustre-ha-<fs>-<role>-health},
 * looks at the Minimum of each {@value #PERIOD_SECONDS} s period through the metric math expression
 * {@value #EXPRESSION}: below 1 (an unhealthy check) or missing (filled with 0: a hung or cut-off
 * server publishes nothing) is breaching, and {@code datapoints} breaching periods out of the last
 * {@code periods} raise it.
 *
 * <p>Periods of 10 s need the metric stored at high resolution, and make a high-resolution alarm
 * (PutMetricAlarm, Period: "Valid values are 10, 20, 30, and any multiple of 60";
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 *
 * @param datapoints M: breaching periods that raise the alarm (HealthAlarmDatapoints)
 * @param periods N: the periods evaluated (HealthAlarmPeriods)
 */
public record HealthAlarmSpec(int datapoints, int periods) {

    public static final String NAMESPACE = "LustreHA";
    public static final String METRIC = "ServerHealthy";
    public static final int PERIOD_SECONDS = 10;
    /** The alarm's metric query id, and the expression over it that turns a silent period into 0. */
    public static final String METRIC_ID = "healthy";
    public static final String EXPRESSION_ID = "filled";
    public static final String EXPRESSION = "FILL(healthy, 0)";
    /** Pacemaker-like defaults: three failed checks in a row, 30 s. */
    public static final HealthAlarmSpec DEFAULT = new HealthAlarmSpec(3, 3);
    private static final Pattern NAME = Pattern.compile("lustre-ha-([A-Za-z][A-Za-z0-9_]{0,7})-([a-z0-9]+)-health");

    public HealthAlarmSpec {
        if (periods < 1 || periods > 30 || datapoints < 1 || datapoints > periods) {
            throw new IllegalArgumentException("a health alarm needs 1 <= HealthAlarmDatapoints (" + datapoints
                    + ") <= HealthAlarmPeriods (" + periods + ") <= 30");
        }
    }

    /** How much data one evaluation looks at. */
    public Duration window() {
        return Duration.ofSeconds((long) periods * PERIOD_SECONDS);
    }

    public static String alarmName(FileSystemName fs, RoleId role) {
        return prefix(fs) + role.value() + "-health";
    }

    /** What every alarm of the file system's name begins with (the EventBridge rule's prefix filter). */
    public static String prefix(FileSystemName fs) {
        return "lustre-ha-" + fs.value() + "-";
    }

    /** The role an alarm name of this file system is about, if it is one. */
    public static Optional<RoleId> roleOf(FileSystemName fs, String alarmName) {
        Matcher m = NAME.matcher(alarmName == null ? "" : alarmName);
        if (!m.matches() || !m.group(1).equals(fs.value())) {
            return Optional.empty();
        }
        try {
            return Optional.of(RoleId.parse(m.group(2)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
