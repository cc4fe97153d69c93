package dev.lustreha.sim;

import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.Tags;
import dev.lustreha.domain.Volume;
import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.local.SimCloud;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

/**
 * What the health agent ({@code instance/lustre-ha-health-agent}) does inside each simulated
 * server, reduced to the metric contract ({@link HealthAlarmSpec}): every {@link #PERIOD}, a server
 * that is tagged with a role and epoch and has mounted all of that role's targets publishes one
 * high-resolution {@code ServerHealthy} datapoint for the role, 1 or 0. It is unhealthy when its
 * Lustre service fails {@code health_check}, one of its targets is read-only, LNet is down on it,
 * or it reaches none of the other roles' servers over LNet (one dead peer, the MGS included, never
 * makes it unhealthy). A hung server, a stopped one and one whose agent cannot reach CloudWatch
 * publish nothing: the alarm treats the missing data as breaching.
 *
 * <p>The real agent reads its role and epoch from its tags and whether its targets are mounted from
 * the bootstrap's record; here the tags and the simulated guest's mounts stand for both. All agents
 * check at second 5 of each 10-second period: a real agent checks at whatever phase it started,
 * which moves detection by up to 5 s either way (docs/detection.md).
 */
final class HealthAgent {

    static final Duration PERIOD = Duration.ofSeconds(HealthAlarmSpec.PERIOD_SECONDS);
    private static final long PHASE_SECONDS = 5;

    private final SimCloud cloud;
    private final CloudWatchClient cloudWatch;
    private final String fileSystem;
    private final Map<RoleId, RoleResources> pool;
    /** Per instance, each fault active on it until when. */
    private final Map<String, Map<HealthFault, Instant>> faults = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    HealthAgent(SimCloud cloud, String fileSystem, Map<RoleId, RoleResources> pool) {
        this.cloud = cloud;
        this.cloudWatch = cloud.cloudWatch();
        this.fileSystem = fileSystem;
        this.pool = pool;
    }

    void start() {
        long now = cloud.clock().now().getEpochSecond();
        long period = PERIOD.toSeconds();
        long next = Math.floorDiv(now - PHASE_SECONDS, period) * period + period + PHASE_SECONDS;
        schedule(Duration.ofSeconds(next - now).minusNanos(cloud.clock().now().getNano()));
    }

    private void schedule(Duration delay) {
        cloud.clock().schedule(delay, "health agents", () -> {
            if (running) {
                checkAll();
                schedule(PERIOD);
            }
        });
    }

    void stop() {
        running = false;
    }

    /** Simulation control: {@code fault} strikes {@code instance} until {@code until}. */
    void inject(String instance, HealthFault fault, Instant until) {
        faults.computeIfAbsent(instance, k -> new EnumMap<>(HealthFault.class)).merge(fault, until,
                (a, b) -> a.isAfter(b) ? a : b);
        cloud.history().record("Sim.HealthFault", "instance", instance, "fault", fault.name(), "until", until.toString());
    }

    private boolean has(String instance, HealthFault fault, Instant now) {
        Map<HealthFault, Instant> f = faults.get(instance);
        Instant until = f == null ? null : f.get(fault);
        return until != null && now.isBefore(until);
    }

    /** One check on every server, all at the same virtual moment. */
    private void checkAll() {
        Instant now = cloud.clock().now();
        Map<String, RoleId> serving = new java.util.TreeMap<>();
        for (String instance : cloud.ec2().instanceIds()) {
            if (!alive(instance)) {
                continue;
            }
            Map<String, String> tags = cloud.ec2().tagsOf(instance);
            String role = tags.get(Tags.ROLE);
            if (role == null || tags.get(Tags.EPOCH) == null) {
                continue;
            }
            RoleId id;
            try {
                id = RoleId.parse(role);
            } catch (IllegalArgumentException e) {
                continue;
            }
            RoleResources r = pool.get(id);
            if (r != null && cloud.ec2().mountedOn(instance)
                    .containsAll(r.volumes().stream().map(Volume::volumeId).toList())) {
                serving.put(instance, id);
            }
        }
        List<String> reachable = new ArrayList<>();
        for (String instance : serving.keySet()) {
            if (!has(instance, HealthFault.LNET_DOWN, now)) {
                reachable.add(instance);
            }
        }
        for (Map.Entry<String, RoleId> e : serving.entrySet()) {
            String instance = e.getKey();
            if (has(instance, HealthFault.SILENT, now)) {
                continue; // PutMetricData never reaches CloudWatch
            }
            // LNet down on this server: it reaches nobody. Otherwise it needs one reachable peer, when any
            // other server serves at all (at a file system's first start, the first one up has none yet).
            boolean peers = !has(instance, HealthFault.LNET_DOWN, now)
                    && (serving.size() == 1 || reachable.stream().anyMatch(p -> !p.equals(instance)));
            boolean healthy = !has(instance, HealthFault.LUSTRE_UNHEALTHY, now)
                    && !has(instance, HealthFault.TARGET_READONLY, now) && peers;
            publish(e.getValue(), healthy, now);
        }
    }

    /** Running, its OS up and not hung: a hung kernel runs no agent. */
    private boolean alive(String instance) {
        return cloud.ec2().stateOf(instance).filter(s -> s.toString().equals("running")).isPresent()
                && cloud.ec2().isBooted(instance) && !cloud.ec2().isImpaired(instance);
    }

    private void publish(RoleId role, boolean healthy, Instant now) {
        MetricDatum datum = MetricDatum.builder()
                .metricName(HealthAlarmSpec.METRIC)
                .dimensions(Dimension.builder().name("FileSystem").value(fileSystem).build(),
                        Dimension.builder().name("Role").value(role.value()).build())
                .value(healthy ? 1.0 : 0.0)
                .unit(StandardUnit.NONE)
                .storageResolution(1)
                .timestamp(now)
                .build();
        try {
            cloudWatch.putMetricData(r -> r.namespace(HealthAlarmSpec.NAMESPACE).metricData(datum));
        } catch (RuntimeException lost) {
            // Throttled or refused: the real agent logs it and tries again at its next check; a missing datapoint is breaching.
        }
    }
}
