package dev.lustreha.sim.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** How the commands print numbers and durations. */
final class Format {

    private Format() {
    }

    /** 120 or 12.5: a whole number without decimals. */
    static String number(double n) {
        return n == Math.rint(n) && Math.abs(n) < 1e15 ? Long.toString((long) n) : String.format(Locale.ROOT, "%.1f", n);
    }

    /** "120 s", "12.5 s". */
    static String seconds(double s) {
        return number(s) + " s";
    }

    /** Seconds between two instants, to a tenth. */
    static double between(Instant from, Instant to) {
        return round1(Duration.between(from, to).toNanos() / 1e9);
    }

    static double round1(double s) {
        return Math.round(s * 10) / 10.0;
    }

    /** "2 volumes", "1 volume". */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
