package dev.lustreha.reconcile;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.config.Json;
import dev.lustreha.config.Production;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The scheduled reconciler: one run per invocation (the scheduled event's content does not
 * matter). It logs the run's summary as one JSON line, one line per stuck execution, and one
 * CloudWatch Embedded Metric Format line on standard output (metrics {@code StuckExecutions},
 * {@code ReconcileActions}, {@code ReconcileFailures} in namespace {@code LustreHA}, by
 * {@code FileSystem}), which CloudWatch turns into metrics an alarm can watch. A run that cannot
 * gather its facts fails, and the next scheduled run tries again.
 */
public final class ReconcileHandler implements RequestStreamHandler {

    static final String NAMESPACE = "LustreHA";

    private final Reconciler reconciler;
    private final String fileSystem;
    private final Consumer<String> stdout;

    public ReconcileHandler() {
        this(Production.RECONCILER, Production.CONFIG.fileSystem().value(), System.out::println);
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
        String line = Json.MAPPER.writeValueAsString(summary);
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(line + "\n");
            for (Reconciler.Outcome o : summary.actions()) {
                if ("ALARM".equals(o.result())) {
                    context.getLogger().log(Json.MAPPER.writeValueAsString(new StuckExecution("StuckExecution",
                            o.subject(), o.execution(), o.detail())) + "\n");
                }
            }
        }
        stdout.accept(metrics(summary));
        output.write(line.getBytes(StandardCharsets.UTF_8));
    }

    /** The alarm's own log line, easy to find with a metric filter or Logs Insights. */
    record StuckExecution(String alarm, String workflow, String execution, String detail) {
    }

    /** One Embedded Metric Format document: plain JSON, no library needed. */
    String metrics(Reconciler.Summary summary) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", summary.at().toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add("FileSystem");
        ArrayNode metrics = directive.putArray("Metrics");
        for (String name : new String[] {"StuckExecutions", "ReconcileActions", "ReconcileFailures"}) {
            metrics.addObject().put("Name", name).put("Unit", "Count");
        }
        root.put("FileSystem", fileSystem);
        root.put("StuckExecutions", summary.alarms());
        root.put("ReconcileActions", summary.actions().size() - summary.alarms());
        root.put("ReconcileFailures", summary.failures());
        return Json.MAPPER.writeValueAsString(root);
    }
}
