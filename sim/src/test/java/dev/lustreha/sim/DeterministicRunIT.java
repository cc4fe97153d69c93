package dev.lustreha.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.local.cloud.History;
import dev.lustreha.local.cloud.Latency;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The deterministic local cloud: the in-JVM engine serves a file system, and a seed replays to the same run. */
class DeterministicRunIT {

    private static final FileSystemSpec SPEC = new FileSystemSpec(new FileSystemName("det"), "us-east-1a", 1, 2, 2, 0);

    private static String firstBoot(long seed) {
        long t0 = System.nanoTime();
        try (LocalCloud cloud = LocalCloud.start(SPEC, LocalCloud.Options.deterministic(seed, Latency.aws()))) {
            assertTrue(cloud.awaitSettled(Duration.ofMinutes(20)), "every role serves within 20 virtual minutes");
            cloud.runUntil(cloud.sim().clock().now().plus(Duration.ofMinutes(1)));
            List<History.Entry> entries = cloud.sim().history().entries();
            System.out.printf("seed %d: %d history entries, virtual %s, wall %d ms%n", seed, entries.size(),
                    cloud.sim().clock().now(), (System.nanoTime() - t0) / 1_000_000);
            assertEquals(List.of(), Invariants.check(cloud.sim().history(), cloud.pool(), false));
            return entries.stream().map(e -> e.at() + " " + e.action() + " " + e.details())
                    .collect(Collectors.joining("\n"));
        }
    }

    @Test
    void theSameSeedReplaysToTheSameRun() {
        String first = firstBoot(7);
        String again = firstBoot(7);
        assertEquals(first, again);
        String other = firstBoot(8);
        assertTrue(!other.equals(first), "another seed gives another run");
    }
}
