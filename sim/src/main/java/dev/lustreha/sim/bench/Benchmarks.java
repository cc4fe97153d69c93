package dev.lustreha.sim.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 9's benchmarks 3 (handover economy) and 4 (scale), and issue 20's detection benchmark, on the local cloud: printed numbers, not
 * timed tests. Usage:
 *
 * <pre>
 * Benchmarks &lt;economy|scale|detection|all&gt; [--out FILE.md] [--seed N] [--warmup N] [--iterations N]
 *            [--oss N] [--volumes N] [--standbys N] [--variants terminate,hung,...]
 * </pre>
 *
 * It prints each benchmark's table and goals (PASS or FAIL each, and last whether all were met),
 * and with {@code --out} writes them as a markdown section. The exit code is 0 when the benchmarks
 * ran, whatever their goals say (they are measurements, which {@code ./lustre-ha bench} collects),
 * 1 when one could not run or its file could not be written, 2 for bad arguments.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /** What the command line asked for. */
    record Settings(String which, Path out, long seed, int warmup, int iterations, int oss, int volumes, int standbys,
            List<String> variants) {

        static Settings parse(String[] args) {
            if (args.length == 0 || !List.of("economy", "scale", "detection", "all").contains(args[0])) {
                throw new IllegalArgumentException("the first argument is economy, scale, detection or all");
            }
            Path out = null;
            long seed = 9;
            int warmup = 5;
            int iterations = 15;
            int oss = 100;
            int volumes = 8;
            int standbys = -1;
            List<String> variants = ScaleBenchmark.Variant.names();
            for (int i = 1; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--out" -> out = Path.of(System.getProperty("lustre-ha.cwd", ".")).resolve(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--iterations" -> iterations = Integer.parseInt(value);
                    case "--oss" -> oss = Integer.parseInt(value);
                    case "--volumes" -> volumes = Integer.parseInt(value);
                    case "--standbys" -> standbys = Integer.parseInt(value);
                    case "--variants" -> variants = List.of(value.split(","));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (iterations < 1 || warmup < 0 || oss < 1 || volumes < 1 || volumes > 11) {
                throw new IllegalArgumentException("--iterations >= 1, --warmup >= 0, --oss >= 1, 1 <= --volumes <= 11");
            }
            for (String v : variants) {
                ScaleBenchmark.Variant.parse(v);
            }
            return new Settings(args[0], out, seed, warmup, iterations, oss, volumes, standbys < 0 ? oss : standbys,
                    variants);
        }
    }

    public static void main(String[] args) {
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println("usage: Benchmarks <economy|scale|detection|all> [--out FILE.md] [--seed N] [--warmup N] "
                    + "[--iterations N] [--oss N] [--volumes N] [--standbys N] [--variants "
                    + String.join(",", ScaleBenchmark.Variant.names()) + "]");
            System.exit(2);
            return;
        }
        boolean met;
        try {
            met = run(s, System.out);
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.err.println("bench: " + e.getMessage());
            // Exit, rather than return: DynamoDB Local's threads may outlive a cloud that failed half way.
            System.exit(1);
            return;
        }
        System.out.println();
        System.out.println(met ? "every goal met" : "some goals not met (FAIL above)");
        System.exit(0);
    }

    /** Runs what {@code s} asks for; true when every goal was met. */
    static boolean run(Settings s, PrintStream out) {
        boolean ok = true;
        List<String> sections = new ArrayList<>();
        if (s.which().equals("economy") || s.which().equals("all")) {
            out.println("benchmark 3, handover economy (" + s.warmup() + " warm-up and " + s.iterations()
                    + " measured handovers per case)");
            EconomyBenchmark.Result r = new EconomyBenchmark(s.warmup(), s.iterations(), s.seed(), out).run();
            EconomyBenchmark.print(r, out);
            sections.add(EconomyBenchmark.markdown(r));
            ok &= r.cases().stream().allMatch(c -> c.goals().stream().allMatch(EconomyBenchmark.Goal::pass));
        }
        if (s.which().equals("scale") || s.which().equals("all")) {
            out.println();
            out.println("benchmark 4, scale (" + s.oss() + " OSS roles x " + s.volumes() + " volumes, AWS-like latency)");
            ScaleBenchmark.Result r = new ScaleBenchmark(s.oss(), s.volumes(), s.standbys(), s.seed(),
                    s.variants().stream().map(ScaleBenchmark.Variant::parse).toList(), out).run();
            ScaleBenchmark.print(r, out);
            sections.add(ScaleBenchmark.markdown(r));
            ok &= r.runs().stream().allMatch(ScaleBenchmark.RunResult::goalsMet);
        }
        if (s.which().equals("detection") || s.which().equals("all")) {
            out.println();
            out.println("benchmark 5, detection (issue 20: the health alarm and its failover, AWS-like latency)");
            List<DetectionBenchmark.Run> runs = new DetectionBenchmark(s.seed(), out).run();
            DetectionBenchmark.print(runs, out);
            sections.add(DetectionBenchmark.markdown(runs));
            ok &= runs.stream().allMatch(DetectionBenchmark.Run::goalsMet);
        }
        if (s.out() != null) {
            StringBuilder md = new StringBuilder("## Simulation: handover economy and scale\n\n");
            md.append(String.format(Locale.ROOT, "Measured %s on %d cores (%s, JDK %s).%n%n", Instant.now(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("java.version")));
            sections.forEach(x -> md.append(x).append('\n'));
            try {
                Files.writeString(s.out(), md.toString(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + s.out(), e);
            }
            out.println();
            out.println("wrote " + s.out());
        }
        return ok;
    }
}
