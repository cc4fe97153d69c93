package dev.lustreha.sim.cli;

import dev.lustreha.domain.RoleId;
import dev.lustreha.sim.Mutation;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Random fault schedules, one per seed, each a {@link Scenario} run on the deterministic local
 * cloud with the invariants checked after every step: {@code ./lustre-ha simulate --random N}.
 * The generator draws from the whole scenario vocabulary — faults at virtual times, faults tied to
 * a step of a running handover (the new server dies while claiming or attaching, the old owner
 * recovers while being fenced, a step's response is lost after it acted, throttling during a
 * detach), two failures at once, lost, duplicated and reordered events, an AZ outage, malformed and
 * foreign events, servers that only their health agent sees failing (Lustre unhealthy, a target
 * read-only, LNet down) or whose agent falls silent — and a seed always gives the same schedule, and so the same run.
 *
 * <p>A failing schedule is written as a scenario file (it replays with {@code simulate <file>}) and
 * shrunk: faults are dropped, and the file system made smaller, while the same invariant still
 * breaks.
 */
final class RandomSchedules {

    /** After the last fault's window: every role serves again within this (I6), whatever the schedule. */
    static final double SERVE_WITHIN = 1200;

    private RandomSchedules() {
    }

    /** The schedule of {@code seed}. */
    static Scenario generate(long seed) {
        Random r = new Random(seed);
        int oss = 1 + r.nextInt(3);
        // One schedule in four runs the co-located layout (MgsOnMds: the MGS on mds01's server). Drawn
        // from a generator of its own, so the faults drawn for a seed stay what they were before
        // (SplittableRandom: java.util.Random's first draw varies too little between nearby seeds).
        boolean mgsOnMds = new SplittableRandom(seed).nextInt(4) == 0;
        Scenario.FileSystem fs = new Scenario.FileSystem("rnd", "us-east-1a", 1, oss, 1 + r.nextInt(3),
                r.nextInt(4) == 0 ? 1 : 0, mgsOnMds);
        List<String> roles = fs.spec().roles().stream().map(RoleId::value).toList();
        List<Scenario.Fault> faults = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            faults.addAll(fault(r, roles));
        }
        if (r.nextInt(4) == 0) {
            // Two failures at once: another server fails at the same moment as the first fault.
            Scenario.Fault first = faults.get(0);
            faults.add(new Scenario.Fault(first.at(), r.nextBoolean() ? Scenario.Kind.TERMINATE : Scenario.Kind.STOP,
                    pick(r, roles), 0));
        }
        Scenario.LatencyProfile latency = r.nextInt(10) == 0 ? Scenario.LatencyProfile.ZERO : Scenario.LatencyProfile.AWS;
        return new Scenario("random-" + seed, seed, latency, fs, List.copyOf(faults),
                new Scenario.Expect(SERVE_WITHIN));
    }

    /** One fault, and for a fault tied to a step, a failure whose handover it can strike. */
    private static List<Scenario.Fault> fault(Random r, List<String> roles) {
        int at = r.nextInt(240);
        String role = pick(r, roles);
        int kind = r.nextInt(24);
        return switch (kind) {
            case 0, 1, 2 -> List.of(new Scenario.Fault(at, Scenario.Kind.TERMINATE, role, 0));
            case 3, 4 -> List.of(new Scenario.Fault(at, Scenario.Kind.STOP, role, 0));
            case 5, 6 -> List.of(new Scenario.Fault(at, Scenario.Kind.HANG, role, 0));
            case 7 -> List.of(new Scenario.Fault(at, Scenario.Kind.STUCK_DETACH, role, 30 + r.nextInt(270)));
            case 8 -> List.of(new Scenario.Fault(at, Scenario.Kind.THROTTLE, null, 5 + r.nextInt(56)));
            case 9 -> List.of(new Scenario.Fault(at, Scenario.Kind.DROP_EVENTS, null, 10 + r.nextInt(111)));
            case 10 -> List.of(new Scenario.Fault(at, Scenario.Kind.DUPLICATE_EVENTS, null, 30 + r.nextInt(271)));
            case 11 -> List.of(new Scenario.Fault(at, Scenario.Kind.AZ_OUTAGE, null, 60 + r.nextInt(181)));
            case 12 -> List.of(new Scenario.Fault(at, Scenario.Kind.GARBAGE_EVENTS, null, 0));
            // Faults only the health agent sees, from one bad check (not moved) to minutes (moved, fenced).
            case 20 -> List.of(new Scenario.Fault(at, Scenario.Kind.LUSTRE_UNHEALTHY, role, 5 + r.nextInt(296)));
            case 21 -> List.of(new Scenario.Fault(at, Scenario.Kind.TARGET_READONLY, role, 5 + r.nextInt(296)));
            case 22 -> List.of(new Scenario.Fault(at, Scenario.Kind.LNET_DOWN, role, 5 + r.nextInt(296)));
            case 23 -> List.of(new Scenario.Fault(at, Scenario.Kind.AGENT_SILENT, role, 5 + r.nextInt(296)));
            default -> {
                // A fault tied to a step, armed now, and the failure that starts the handover it strikes.
                Scenario.Fault cause = new Scenario.Fault(at + r.nextInt(30),
                        r.nextBoolean() ? Scenario.Kind.TERMINATE : Scenario.Kind.HANG, role, 0);
                String step = Scenario.STEPS.get(r.nextInt(Scenario.STEPS.size()));
                Scenario.Fault strike = switch (kind) {
                    case 13, 14 -> new Scenario.Fault(at, Scenario.Kind.TERMINATE, role, 0, step, Scenario.Target.INCOMING);
                    case 15 -> new Scenario.Fault(at, Scenario.Kind.RECOVER, role, 0, "Fence", Scenario.Target.OUTGOING);
                    case 16, 17 -> new Scenario.Fault(at, Scenario.Kind.LOSE_RESPONSE, role, 0, step, Scenario.Target.INCOMING);
                    case 18 -> new Scenario.Fault(at, Scenario.Kind.THROTTLE, role, 5 + r.nextInt(56), "Detach",
                            Scenario.Target.INCOMING);
                    default -> new Scenario.Fault(at, r.nextBoolean() ? Scenario.Kind.STOP : Scenario.Kind.HANG, role, 0,
                            step, Scenario.Target.INCOMING);
                };
                yield List.of(strike, cause);
            }
        };
    }

    private static String pick(Random r, List<String> roles) {
        return roles.get(r.nextInt(roles.size()));
    }

    /** One schedule's outcome. */
    record Outcome(Scenario scenario, Report report, Throwable crash) {

        boolean ok() {
            return crash == null && report.ok();
        }

        /** The first broken invariant (I6 for a missed expectation), or CRASH. */
        String invariant() {
            if (crash != null) {
                return "CRASH";
            }
            return report.violations().isEmpty() ? "I6" : report.violations().get(0).invariant();
        }

        String detail() {
            if (crash != null) {
                return crash.toString();
            }
            return report.violations().isEmpty() ? "expectation not met" : report.violations().get(0).detail();
        }
    }

    static Outcome runOne(Scenario sc) {
        return runOne(sc, Mutation.NONE);
    }

    static Outcome runOne(Scenario sc, Mutation mutation) {
        try {
            return new Outcome(sc, SimulateCommand.run(sc, SimulateCommand.Settings.deterministic().quietly().mutated(mutation),
                    new PrintStream(PrintStream.nullOutputStream()), System.nanoTime()), null);
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            return new Outcome(sc, null, e);
        }
    }

    /** What a batch found. */
    record Summary(int runs, List<Outcome> failures, double wallSeconds, double virtualSeconds,
            Map<String, Integer> faultKinds, Map<String, Integer> struck) {
    }

    /**
     * Runs the schedules of seeds {@code first .. first+count-1} on {@code threads} threads; writes
     * each failing one (shrunk) to {@code failures} as a scenario file.
     */
    static Summary run(int count, long first, int threads, Path failures, PrintStream out) {
        return run(count, first, threads, failures, out, RandomSchedules::runOne);
    }

    static Summary run(int count, long first, int threads, Path failures, PrintStream out,
            Function<Scenario, Outcome> runner) {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Scenario sc = generate(first + i);
            futures.add(pool.submit(() -> runner.apply(sc)));
        }
        List<Outcome> failed = new ArrayList<>();
        Map<String, Integer> kinds = new TreeMap<>();
        Map<String, Integer> struck = new TreeMap<>();
        double virtual = 0;
        try {
            for (int i = 0; i < futures.size(); i++) {
                Outcome o = futures.get(i).get();
                o.scenario().faults().forEach(f -> kinds.merge(f.kind().wire + (f.step() == null ? "" : "@" + f.step()),
                        1, Integer::sum));
                if (o.report() != null) {
                    virtual += o.report().virtualSeconds();
                    o.report().faults().stream().filter(f -> f.problem() == null)
                            .forEach(f -> struck.merge(f.kind(), 1, Integer::sum));
                }
                if (!o.ok()) {
                    failed.add(o);
                    out.println("seed " + o.scenario().seed() + ": " + o.invariant() + " " + o.detail());
                }
                if ((i + 1) % 100 == 0 || i + 1 == futures.size()) {
                    out.printf("%d/%d schedules, %d failing, %.0f s wall%n", i + 1, count, failed.size(),
                            (System.nanoTime() - start) / 1e9);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a schedule's run failed outside the simulation", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        for (Outcome o : failed) {
            Outcome minimal = shrink(o, runner);
            Path file = failures.resolve("random-" + o.scenario().seed() + ".json");
            write(file, minimal.scenario());
            String page = "";
            if (minimal.report() != null) {
                // A crash leaves no report to draw.
                Path html = failures.resolve("random-" + o.scenario().seed() + ".html");
                Outputs.writeHtml(html, HtmlReport.render(minimal.report().withReplay("./lustre-ha simulate " + file)));
                page = "; its run: " + html;
            }
            out.println("seed " + o.scenario().seed() + " fails " + o.invariant() + "; shrunk to "
                    + minimal.scenario().faults().size() + " of " + o.scenario().faults().size() + " faults, "
                    + minimal.scenario().fileSystem().oss() + " OSS: replay with ./lustre-ha simulate " + file + page);
        }
        return new Summary(count, failed, (System.nanoTime() - start) / 1e9, virtual, kinds, struck);
    }

    /**
     * A smaller schedule that breaks the same invariant: drops one fault at a time, then OSS roles
     * and standbys nobody needs, keeping each change that still fails so.
     */
    static Outcome shrink(Outcome failing, Function<Scenario, Outcome> runner) {
        Outcome best = failing;
        boolean smaller = true;
        while (smaller) {
            smaller = false;
            List<Scenario> candidates = new ArrayList<>();
            Scenario sc = best.scenario();
            for (int i = 0; i < sc.faults().size(); i++) {
                List<Scenario.Fault> fewer = new ArrayList<>(sc.faults());
                fewer.remove(i);
                candidates.add(with(sc, sc.fileSystem(), fewer));
            }
            Scenario.FileSystem fs = sc.fileSystem();
            if (fs.standbys() > 0) {
                candidates.add(with(sc, fs.sized(fs.oss(), fs.volumesPerOss(), fs.standbys() - 1), sc.faults()));
            }
            String lastOss = String.format("oss%02d", fs.oss());
            if (fs.oss() > 1 && sc.faults().stream().noneMatch(f -> lastOss.equals(f.role()))) {
                candidates.add(with(sc, fs.sized(fs.oss() - 1, fs.volumesPerOss(), fs.standbys()), sc.faults()));
            }
            if (fs.volumesPerOss() > 1) {
                candidates.add(with(sc, fs.sized(fs.oss(), fs.volumesPerOss() - 1, fs.standbys()), sc.faults()));
            }
            for (Scenario c : candidates) {
                Outcome o = runner.apply(c);
                if (!o.ok() && o.invariant().equals(failing.invariant())) {
                    best = o;
                    smaller = true;
                    break;
                }
            }
        }
        return best;
    }

    private static Scenario with(Scenario sc, Scenario.FileSystem fs, List<Scenario.Fault> faults) {
        return new Scenario(sc.name(), sc.seed(), sc.latency(), fs, List.copyOf(faults), sc.expect());
    }

    private static void write(Path file, Scenario sc) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, sc.toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
