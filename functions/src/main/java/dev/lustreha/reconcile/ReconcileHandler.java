package dev.lustreha.reconcile;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lustreha.config.Json;
import dev.lustreha.config.Production;
import dev.lustreha.observe.Emf;
import dev.lustreha.observe.JsonLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The scheduled reconciler: one run per invocation (the scheduled event's content does not
 * matter). It logs the run's summary as one JSON line, one line per stuck execution, and one
 * CloudWatch Embedded Metric Format line on standard output (metrics {@code StuckExecutions},
 * {@code ReconcileActions}, {@code ReconcileFailures}, {@code RolesNotServing}, {@code RolesDamped} and {@code RolesNotMounted} in namespace
 * {@code LustreHA}, by {@code FileSystem}), which CloudWatch turns into metrics alarms watch. A run that cannot
 * gather its facts fails, and the next scheduled run tries again.
 */
public final class ReconcileHandler implements RequestStreamHandler {

    private final Reconciler reconciler;
    private final String fileSystem;
    private final Consumer<String> stdout;

    public ReconcileHandler() {
        this(Production.reconciler(), Production.CONFIG.fileSystem().value(), System.out::println);
    }

    /** @param stdout where the metric lines go (Lambda sends standard output to CloudWatch Logs as is) */
    public ReconcileHandler(Reconciler reconciler, String fileSystem, Consumer<String> stdout) {
        this.reconciler = reconciler;
        this.fileSystem = fileSystem;
        this.stdout = stdout;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        Reconciler.Summary summary = reconciler.reconcile();
        JsonLog.write(context, summary, summary.failures() == 0 ? "INFO" : "ERROR");
        for (Reconciler.Outcome o : summary.actions()) {
            if ("ALARM".equals(o.result())) {
                JsonLog.write(context, new StuckExecution("StuckExecution", o.subject(), o.execution(), o.detail()),
                        "WARN");
            }
        }
        stdout.accept(metrics(fileSystem, summary));
        output.write(Json.MAPPER.writeValueAsBytes(summary));
    }

    /** The alarm's own log line, easy to find with a metric filter or Logs Insights. */
    record StuckExecution(String alarm, String workflow, String execution, String detail) {
    }

    /**
     * The run's Embedded Metric Format document (see {@link Emf}); public so that the local cloud's
     * scheduled reconciler emits the very document the Lambda prints.
     */
    public static String metrics(String fileSystem, Reconciler.Summary summary) {
        return Emf.document(summary.at(), fileSystem, Map.of(
                "StuckExecutions", Emf.Metric.count(summary.alarms()),
                "ReconcileActions", Emf.Metric.count(summary.actions().size() - summary.alarms()),
                "ReconcileFailures", Emf.Metric.count(summary.failures()),
                "RolesNotServing", Emf.Metric.count(summary.notServing()),
                "RolesDamped", Emf.Metric.count(summary.damped()),
                "RolesNotMounted", Emf.Metric.count(summary.notMounted())), Map.of());
    }
}
