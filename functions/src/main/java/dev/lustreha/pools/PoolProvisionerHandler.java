package dev.lustreha.pools;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import dev.lustreha.config.Production;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.health.HealthAlarmSpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.lambda.powertools.cloudformation.AbstractCustomResourceHandler;
import software.amazon.lambda.powertools.cloudformation.Response;

/**
 * The CloudFormation custom resource {@code Custom::LustrePool}: creates, grows, shrinks (vacant
 * roles only) and deletes the pool. It always answers CloudFormation — FAILED with the reason rather
 * than a stack left hanging for an hour.
 */
public final class PoolProvisionerHandler extends AbstractCustomResourceHandler {

    private final PoolProvisioner provisioner;

    public PoolProvisionerHandler() {
        this(new PoolProvisioner(Production.aws(), Production.store(), Clock.systemUTC(), Production.alarms()),
                Production.http());
    }

    public PoolProvisionerHandler(PoolProvisioner provisioner, SdkHttpClient http) {
        super(http);
        this.provisioner = provisioner;
    }

    @Override
    protected Response create(CloudFormationCustomResourceEvent event, Context context) {
        return answer(event, () -> {
            PoolSpec spec = spec(event.getResourceProperties());
            return success(spec, provisioner.ensure(spec, event.getStackId()), event.getResourceProperties());
        });
    }

    @Override
    protected Response update(CloudFormationCustomResourceEvent event, Context context) {
        return answer(event, () -> {
            PoolSpec next = spec(event.getResourceProperties());
            PoolSpec previous = spec(event.getOldResourceProperties());
            return success(next, provisioner.update(previous, next, event.getStackId()), event.getResourceProperties());
        });
    }

    @Override
    protected Response delete(CloudFormationCustomResourceEvent event, Context context) {
        return answer(event, () -> {
            Map<String, Object> props = event.getResourceProperties();
            if (props == null || props.get("FileSystemName") == null) {
                // A create that failed before it knew its pool: nothing was made under this resource.
                return Response.success(event.getPhysicalResourceId());
            }
            PoolSpec spec = spec(props);
            provisioner.delete(spec);
            return Response.success(physicalId(spec));
        });
    }

    private interface Work {
        Response run();
    }

    /** Every failure becomes a FAILED answer with its reason; the physical id stays stable. */
    private static Response answer(CloudFormationCustomResourceEvent event, Work work) {
        try {
            return work.run();
        } catch (RuntimeException e) {
            String physical = event.getPhysicalResourceId() != null ? event.getPhysicalResourceId()
                    : "lustre-ha-pool-failed-" + event.getRequestId();
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            return Response.builder().status(Response.Status.FAILED).physicalResourceId(physical)
                    .reason(reason.length() > 1000 ? reason.substring(0, 1000) : reason).build();
        }
    }

    /**
     * SUCCESS with what the stack reads back: the MGS NID for the mount command, and the OSS group's
     * capacity (roles plus standbys; CloudFormation cannot add two parameters).
     */
    private static Response success(PoolSpec spec, PoolProvisioner.Result result, Map<String, Object> properties) {
        int standbys = properties.get("StandbyCount") == null ? 0 : number(properties, "StandbyCount");
        return Response.builder().status(Response.Status.SUCCESS).physicalResourceId(physicalId(spec))
                .value(Map.of("MgsNid", result.mgsNid(), "MgsRole", result.mgsRole(),
                        "Roles", Integer.toString(result.roles()),
                        "OssCapacity", Integer.toString(spec.oss() + standbys))).build();
    }

    private static String physicalId(PoolSpec spec) {
        return "lustre-ha-pool-" + spec.fileSystem().value();
    }

    /** CloudFormation passes every property as a string. */
    static PoolSpec spec(Map<String, Object> p) {
        if (p == null) {
            throw new IllegalArgumentException("no resource properties");
        }
        return new PoolSpec(
                new FileSystemName(text(p, "FileSystemName")),
                text(p, "SubnetId"),
                list(p.get("SecurityGroupIds")),
                number(p, "MdsCount"),
                number(p, "OssCount"),
                number(p, "VolumesPerOss"),
                volume(p, "MgtVolumeSize"),
                volume(p, "MdtVolumeSize"),
                volume(p, "OstVolumeSize"),
                Boolean.parseBoolean(String.valueOf(p.getOrDefault("DeleteDataOnStackDelete", "false"))),
                health(p),
                // A pool created before the co-located layout has no such property: its own MGS.
                Boolean.parseBoolean(String.valueOf(p.getOrDefault("MgsOnMds", "false"))));
    }

    /** The health alarm's M of N; a pool created before health detection has neither property: the defaults. */
    private static HealthAlarmSpec health(Map<String, Object> p) {
        int m = p.get("HealthAlarmDatapoints") == null ? HealthAlarmSpec.DEFAULT.datapoints()
                : number(p, "HealthAlarmDatapoints");
        int n = p.get("HealthAlarmPeriods") == null ? HealthAlarmSpec.DEFAULT.periods() : number(p, "HealthAlarmPeriods");
        return new HealthAlarmSpec(m, n);
    }

    private static PoolSpec.VolumeSpec volume(Map<String, Object> p, String sizeProperty) {
        Object key = p.get("VolumeKmsKeyArn");
        return new PoolSpec.VolumeSpec(number(p, sizeProperty), text(p, "VolumeType"), optionalNumber(p, "VolumeIops"),
                optionalNumber(p, "VolumeThroughput"), key == null ? null : String.valueOf(key));
    }

    private static String text(Map<String, Object> p, String name) {
        Object v = p.get(name);
        if (v == null || String.valueOf(v).isBlank()) {
            throw new IllegalArgumentException("property " + name + " is required");
        }
        return String.valueOf(v);
    }

    private static int number(Map<String, Object> p, String name) {
        try {
            return Integer.parseInt(text(p, name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("property " + name + " must be a whole number, not " + p.get(name));
        }
    }

    private static Integer optionalNumber(Map<String, Object> p, String name) {
        Object v = p.get(name);
        return v == null || String.valueOf(v).isBlank() || "0".equals(String.valueOf(v)) ? null : number(p, name);
    }

    private static List<String> list(Object v) {
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        if (v == null) {
            throw new IllegalArgumentException("property SecurityGroupIds is required");
        }
        return Arrays.stream(String.valueOf(v).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
