package dev.lustreha.sim.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the commands print numbers, durations and tables. */
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

    /**
     * A table column.
     *
     * @param width the least width; a wider header or cell widens the column
     * @param right whether cells align right (numbers)
     */
    record Column(String header, int width, boolean right) {

        static Column left(String header, int width) {
            return new Column(header, width, false);
        }

        static Column right(String header, int width) {
            return new Column(header, width, true);
        }
    }

    /**
     * The table's lines, header first, each indented by two spaces, columns two spaces apart, the
     * last column unpadded and no trailing spaces. A row may have fewer cells than columns.
     */
    static List<String> tableLines(List<Column> columns, List<List<String>> rows) {
        int[] widths = new int[columns.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = Math.max(columns.get(c).width(), columns.get(c).header().length());
        }
        for (List<String> row : rows) {
            for (int c = 0; c < row.size(); c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(line(columns, widths, columns.stream().map(Column::header).toList()));
        for (List<String> row : rows) {
            lines.add(line(columns, widths, row));
        }
        return lines;
    }

    /** {@link #tableLines}, each ended by a newline. */
    static String table(List<Column> columns, List<List<String>> rows) {
        StringBuilder s = new StringBuilder();
        tableLines(columns, rows).forEach(l -> s.append(l).append(System.lineSeparator()));
        return s.toString();
    }

    private static String line(List<Column> columns, int[] widths, List<String> cells) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            boolean last = c == widths.length - 1;
            String pad = " ".repeat(widths[c] - cell.length());
            s.append("  ").append(columns.get(c).right() ? pad + cell : last ? cell : cell + pad);
        }
        return s.toString().stripTrailing();
    }
}
