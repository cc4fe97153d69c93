package dev.lustreha.sim.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A run's report as one HTML page that needs nothing else: the style, the script, the picture
 * ({@link TimelineSvg}) and the report's JSON itself are inside it, and its content security
 * policy forbids loading anything, so it opens the same from a mail attachment, a CI artifact or a
 * laptop without a network. The page is drawn on the server side: it reads without its script,
 * which only links the picture to the tables and copies the replay command.
 */
final class HtmlReport {

    /** What each invariant of docs/design.md §4 says, for the page's list. */
    static final Map<String, String> INVARIANTS = Map.of(
            "I1", "single owner: no two servers held one role's ENI or volumes at once",
            "I2", "fence first: nothing detached from a server not confirmed stopped",
            "I3", "stale writers lose: no step with an old epoch changed a table item, tag or attachment",
            "I4", "no data loss: no data volume deleted or formatted twice",
            "I5", "lifecycle actions end: every lifecycle action completed",
            "I6", "liveness: every role serving again within the scenario's bound",
            "I7", "bad input is inert: malformed and foreign events changed nothing",
            "I8", "no failover storm: no role moved more often than MaxFailoversPerWindow",
            "I9", "planned moves: nothing forced on a server that confirmed its clean unmount");

    private HtmlReport() {
    }

    static String render(Report r) {
        StringBuilder p = new StringBuilder(64 * 1024);
        String title = "lustre-ha: " + r.scenario() + (r.ok() ? " (ok)" : " (NOT OK)");
        p.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                // Nothing may be fetched: no network, no CDN. Inline style and script only.
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(resource("report.css"))
                .append("</style>\n</head>\n<body>\n");
        header(p, r);
        p.append("<section id=\"picture\">\n<h2>Roles over virtual time</h2>\n");
        legend(p);
        p.append(TimelineSvg.render(r));
        p.append("<p class=\"note\">Virtual seconds since the Auto Scaling groups were created (the <code>t+</code> of the "
                + "terminal timeline). Upper bar: a handover, split into its phases; lower bar: the server that held the "
                + "role. Red: a fault where it struck (a band: its window). Orange: the role's health alarm in ALARM (after the first boot, until which every alarm waits for its agent). "
                + "Cross at the top: a broken invariant.</p>\n</section>\n");
        handovers(p, r);
        faults(p, r);
        invariants(p, r);
        expectations(p, r);
        alarms(p, r);
        roles(p, r);
        // The report itself, for anyone who wants the numbers: '<' only occurs inside JSON strings,
        // where \u003c means the same, and so the data cannot end the script element early.
        p.append("<script type=\"application/json\" id=\"report-data\">").append(r.toJson().replace("<", "\\u003c"))
                .append("</script>\n<script>\n").append(resource("report.js")).append("</script>\n</body>\n</html>\n");
        return p.toString();
    }

    private static void header(StringBuilder p, Report r) {
        p.append("<header id=\"summary\" class=\"").append(r.ok() ? "ok" : "not-ok").append("\">\n<h1>")
                .append(esc(r.scenario())).append(" <span id=\"outcome\" class=\"badge\">").append(r.ok() ? "OK" : "NOT OK")
                .append("</span></h1>\n<dl>")
                .append(dt("seed", Long.toString(r.seed())))
                .append(dt("virtual time", Format.seconds(r.virtualSeconds())))
                .append(dt("wall time", Format.seconds(r.wallSeconds())))
                .append(dt("roles", Integer.toString(r.roles().size())))
                .append(dt("handovers", Long.toString(r.handovers().stream().filter(h -> h.fromInstance() != null).count())
                        + " (and " + r.handovers().stream().filter(h -> h.fromInstance() == null).count() + " first claims)"))
                .append(dt("faults", Integer.toString(r.faults().size())))
                .append(dt("violations", Integer.toString(r.violations().size())))
                .append("</dl>\n");
        if (r.replay() != null) {
            p.append("<p class=\"replay\">Run it again: <code id=\"replay\">").append(esc(r.replay()))
                    .append("</code> <button type=\"button\" id=\"copy-replay\">copy</button>")
                    .append(" <span id=\"copied\" hidden>copied</span></p>\n");
        }
        p.append("</header>\n");
    }

    private static void legend(StringBuilder p) {
        p.append("<ul class=\"legend\">");
        for (String phase : TimelineSvg.PHASES) {
            p.append("<li><span class=\"swatch phase-").append(phase).append("\"></span>").append(phase).append("</li>");
        }
        p.append("<li><span class=\"swatch owner-span\"></span>server holding the role</li>")
                .append("<li><span class=\"swatch fault-swatch\"></span>fault</li>")
                .append("<li><span class=\"swatch alarm-swatch\"></span>health alarm</li></ul>\n");
    }

    private static void handovers(StringBuilder p, Report r) {
        p.append("<section id=\"handovers\">\n<h2>Handovers</h2>\n");
        table(p, "handover-table", List.of("role", "kind", "from", "to", "epoch", "outcome", "started", "claim", "fence",
                "detach", "attach", "record", "total"), r.handovers(), h -> List.of(h.role(), String.valueOf(h.kind()),
                        h.fromInstance() == null ? "(first claim)" : h.fromInstance(), h.toInstance(),
                        h.epoch() == null ? "-" : Long.toString(h.epoch()), h.outcome(),
                        h.times() == null ? "-" : t(h.times().started()), s(h.phases().claim()), s(h.phases().fence()),
                        s(h.phases().detach()), s(h.phases().attach()), s(h.phases().record()), s(h.phases().total())),
                h -> " class=\"handover-row outcome-" + esc(h.outcome()) + "\" data-execution=\"" + esc(h.execution()) + "\"");
        p.append("<p class=\"note\">Phases in virtual seconds; started: on the picture's axis. kind: launch (a new "
                + "server's lifecycle hook), standby (the reconciler gave the role to a standby), repair (the owner's own "
                + "claim resumed to move its resources back).</p>\n</section>\n");
    }

    private static void faults(StringBuilder p, Report r) {
        p.append("<section id=\"faults\">\n<h2>Faults</h2>\n");
        if (r.faults().isEmpty()) {
            p.append("<p>None.</p>\n");
        } else {
            table(p, "fault-table", List.of("at", "struck", "kind", "role", "seconds", "hit", "problem"), r.faults(),
                    f -> List.of(Format.number(f.at()), t(f.struckAt()), f.kind(), f.role() == null ? "-" : f.role(),
                            f.seconds() == null ? "-" : Format.number(f.seconds()), f.target() == null ? "-" : f.target(),
                            f.problem() == null ? "" : "NOT APPLIED: " + f.problem()),
                    f -> " class=\"fault-row" + (f.problem() == null ? "" : " not-applied") + "\"");
            p.append("<p class=\"note\">at: the scenario's time, seconds after every role first served; struck: on the "
                    + "picture's axis.</p>\n");
        }
        p.append("</section>\n");
    }

    private static void invariants(StringBuilder p, Report r) {
        p.append("<section id=\"invariants\">\n<h2>Invariants</h2>\n<ul class=\"invariants\">");
        for (String id : List.of("I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9")) {
            long broken = r.violations().stream().filter(v -> v.invariant().equals(id)).count();
            p.append("<li class=\"").append(broken == 0 ? "held" : "broken").append("\" data-invariant=\"").append(id)
                    .append("\"><b>").append(id).append("</b> ").append(esc(INVARIANTS.get(id))).append(": ")
                    .append(broken == 0 ? "no violation" : Format.count((int) broken, "violation")).append("</li>");
        }
        p.append("</ul>\n");
        if (!r.violations().isEmpty()) {
            table(p, "violation-table", List.of("invariant", "at", "what happened"), r.violations(),
                    v -> List.of(v.invariant(), t(v.at()), v.detail()), v -> " class=\"violation-row\"");
        }
        p.append("<p class=\"note\">Checked from everything the simulated cloud recorded, never from lustre-ha's own "
                + "logs. I7 is exercised only by malformed and foreign events (the garbage-events fault); I6 only by "
                + "simulate's bound.</p>\n</section>\n");
    }

    private static void expectations(StringBuilder p, Report r) {
        if (r.expectations().isEmpty()) {
            return;
        }
        p.append("<section id=\"expectations\">\n<h2>Expectations</h2>\n");
        table(p, "expectation-table", List.of("expect", "limit", "measured", "met"), r.expectations(),
                e -> List.of(e.expect(), Format.number(e.limit()), e.measured() == null ? "never" : Format.number(e.measured()),
                        e.met() ? "met" : "NOT MET"), e -> e.met() ? "" : " class=\"not-met\"");
        p.append("</section>\n");
    }

    private static void alarms(StringBuilder p, Report r) {
        if (r.alarms() == null || r.alarms().isEmpty()) {
            return;
        }
        p.append("<section id=\"alarms\">\n<h2>Health alarms</h2>\n");
        table(p, "alarm-table", List.of("at", "alarm", "role", "from", "to"), r.alarms(),
                a -> List.of(t(a.at()), a.alarm(), a.role() == null ? "-" : a.role(), a.from(), a.to()), a -> "");
        p.append("</section>\n");
    }

    private static void roles(StringBuilder p, Report r) {
        p.append("<section id=\"roles\">\n<h2>Roles at the end</h2>\n");
        table(p, "role-table", List.of("role", "owner", "state", "epoch"), r.roles(),
                x -> List.of(x.role(), x.owner() == null ? "-" : x.owner(), x.state(), Long.toString(x.epoch())),
                x -> " data-role=\"" + esc(x.role()) + "\"");
        p.append("</section>\n");
    }

    private static <T> void table(StringBuilder p, String id, List<String> headers, List<T> rows,
            Function<T, List<String>> cells, Function<T, String> rowAttributes) {
        p.append("<table id=\"").append(id).append("\">\n<thead><tr>");
        headers.forEach(h -> p.append("<th>").append(esc(h)).append("</th>"));
        p.append("</tr></thead>\n<tbody>\n");
        for (T row : rows) {
            p.append("<tr").append(rowAttributes.apply(row)).append(">");
            cells.apply(row).forEach(c -> p.append("<td>").append(esc(c)).append("</td>"));
            p.append("</tr>\n");
        }
        p.append("</tbody>\n</table>\n");
    }

    /** A handover in one line, for a tooltip. */
    static String describe(Report.Handover h) {
        Report.Phases ph = h.phases();
        return h.role() + " " + h.kind() + " handover " + (h.fromInstance() == null ? "(first claim)" : h.fromInstance())
                + " -> " + h.toInstance() + " at epoch " + h.epoch() + ": " + h.outcome() + "; claim " + s(ph.claim())
                + ", fence " + s(ph.fence()) + ", detach " + s(ph.detach()) + ", attach " + s(ph.attach()) + ", record "
                + s(ph.record()) + ", total " + s(ph.total()) + " (" + h.execution() + ")";
    }

    static String describe(Report.InjectedFault f) {
        return f.kind() + (f.role() == null ? "" : " " + f.role()) + (f.seconds() == null ? "" : " for "
                + Format.seconds(f.seconds())) + " at " + t(f.struckAt()) + " s"
                + (f.target() == null ? "" : " -> " + f.target()) + (f.problem() == null ? "" : ": NOT APPLIED, " + f.problem());
    }

    private static String dt(String term, String value) {
        return "<div><dt>" + esc(term) + "</dt><dd>" + esc(value) + "</dd></div>";
    }

    private static String s(Double seconds) {
        return seconds == null ? "-" : Format.number(seconds);
    }

    private static String t(Double at) {
        return at == null ? "-" : "t+" + Format.number(at);
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " beside " + HtmlReport.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
