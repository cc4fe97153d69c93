package dev.lustreha.sim.console;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./lustre-ha dashboard}: prints the generated dashboard block; {@code --write} puts it into
 * template.yaml in place of the lines from {@link Dashboard#BEGIN} to {@link Dashboard#END}.
 */
public final class DashboardCommand {

    private DashboardCommand() {
    }

    /** @return 0, or 1 when the template has no (or a broken) pair of marker lines */
    public static int run(Path template, boolean write, PrintStream out, PrintStream err) throws IOException {
        String block = Dashboard.templateBlock();
        if (!write) {
            out.print(block);
            return 0;
        }
        String text = Files.readString(template, StandardCharsets.UTF_8);
        String updated;
        try {
            updated = replaceBlock(text, block);
        } catch (IllegalArgumentException e) {
            err.println("error: " + template + ": " + e.getMessage());
            return 1;
        }
        if (updated.equals(text)) {
            out.println(template + ": the dashboard is already up to date");
        } else {
            Files.writeString(template, updated, StandardCharsets.UTF_8);
            out.println(template + ": dashboard and saved queries rewritten");
        }
        return 0;
    }

    /** {@code text} with its generated block (marker lines included) replaced by {@code block}. */
    static String replaceBlock(String text, String block) {
        int begin = text.indexOf(Dashboard.BEGIN + "\n");
        int end = text.indexOf(Dashboard.END + "\n");
        if (begin < 0 || end < begin || text.indexOf(Dashboard.BEGIN + "\n", begin + 1) >= 0) {
            throw new IllegalArgumentException("no single pair of the dashboard's marker lines (\"" + Dashboard.BEGIN
                    .strip() + "\" ... \"" + Dashboard.END.strip() + "\")");
        }
        return text.substring(0, begin) + block + text.substring(end + Dashboard.END.length() + 1);
    }

    /** The generated block as the template holds it now, or null without markers. */
    public static String currentBlock(String text) {
        int begin = text.indexOf(Dashboard.BEGIN + "\n");
        int end = text.indexOf(Dashboard.END + "\n");
        return begin < 0 || end < begin ? null : text.substring(begin, end + Dashboard.END.length() + 1);
    }
}
