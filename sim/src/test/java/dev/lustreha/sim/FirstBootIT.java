package dev.lustreha.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.FileSystemName;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FirstBootIT {

    @Test
    void aFreshFileSystemComesUpServing() {
        FileSystemSpec spec = new FileSystemSpec(new FileSystemName("scratch"), "us-east-1a", 1, 4, 2, 0);
        try (LocalCloud cloud = LocalCloud.start(spec, LocalCloud.Options.fast(1))) {
            boolean ok = cloud.awaitSettled(Duration.ofMinutes(15));
            cloud.roles().forEach(r -> System.out.println(r));
            cloud.triggerResults().forEach(r -> System.out.println(r));
            cloud.executions().all().forEach(e -> System.out.println(e.name() + " " + (e.result().isDone() ? e.result().join().status() + " " + e.result().join().error() + " " + e.result().join().cause() : "running")));
            System.out.println(Invariants.check(cloud.sim().history(), cloud.pool(), false));
            assertTrue(ok, "every role serving");
            assertEquals(6, cloud.roles().size());
        }
    }
}
