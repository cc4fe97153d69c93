package dev.lustreha.sim.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a run writes its report: the JSON ({@code --report}), the page drawn from it
 * ({@code --html}), either, both or neither.
 */
record Outputs(Path report, Path html) {

    static final Outputs NONE = new Outputs(null, null);

    void write(Report r, PrintStream out) {
        if (report != null) {
            r.write(report);
            out.println("report: " + report);
        }
        if (html != null) {
            writeHtml(html, HtmlReport.render(r));
            out.println("html report: " + html);
        }
    }

    static void writeHtml(Path file, String page) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the page to " + file, e);
        }
    }
}
