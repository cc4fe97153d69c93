package dev.lustreha.sim.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The picture of a run, as inline SVG: one row per role over virtual time, the server that held
 * the role in each span, each handover a bar split into its phases (claim, fence, detach, attach,
 * record), faults where they struck (a window as a band), health alarms and broken invariants.
 * Everything is placed from a {@link Report} alone, so a report written earlier draws the same.
 *
 * <p>Each drawn thing is a group with a class and data attributes ({@code g.handover[data-execution]},
 * {@code g.role-row[data-role]}, {@code g.fault}, {@code g.alarm}, {@code g.violation}): the page's
 * script links them to the tables, and the browser test counts them.
 */
final class TimelineSvg {

    static final List<String> PHASES = List.of("claim", "fence", "detach", "attach", "record");

    private static final int WIDTH = 1200;
    private static final int LEFT = 78;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int ROW = 44;
    /** The lane above the roles: faults and violations that concern no one role. */
    private static final int LANE = 26;
    private static final int AXIS = 26;

    private final Report report;
    private final List<String> roles;
    private final double end;
    private final StringBuilder svg = new StringBuilder();

    private TimelineSvg(Report report) {
        this.report = report;
        Set<String> ids = new LinkedHashSet<>();
        report.roles().forEach(r -> ids.add(r.role()));
        report.handovers().forEach(h -> ids.add(h.role()));
        this.roles = List.copyOf(ids);
        double last = report.virtualSeconds();
        for (Report.Handover h : report.handovers()) {
            for (Double t : boundaries(h)) {
                last = Math.max(last, t == null ? 0 : t);
            }
        }
        for (Report.InjectedFault f : report.faults()) {
            last = Math.max(last, f.struckAt() == null ? 0 : f.struckAt());
        }
        this.end = Math.max(last, 1);
    }

    static String render(Report report) {
        return new TimelineSvg(report).draw();
    }

    private int height() {
        return TOP + LANE + ROW * roles.size() + AXIS;
    }

    private double x(double t) {
        return LEFT + t / end * (WIDTH - LEFT - RIGHT);
    }

    private int rowY(String role) {
        return TOP + LANE + ROW * roles.indexOf(role);
    }

    private String draw() {
        int h = height();
        svg.append("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(h).append("\" role=\"img\" aria-label=\"roles, handovers and faults over virtual time\">\n");
        axis(h);
        svg.append("<g class=\"lane\"><text class=\"label\" x=\"6\" y=\"").append(TOP + 17).append("\">cloud</text></g>\n");
        for (String role : roles) {
            int y = rowY(role);
            svg.append("<g class=\"role-row\" data-role=\"").append(HtmlReport.esc(role)).append("\">")
                    .append(rect("row-bg", LEFT, y + 1, WIDTH - LEFT - RIGHT, ROW - 2))
                    .append("<text class=\"label\" x=\"6\" y=\"").append(y + ROW / 2 + 4).append("\">")
                    .append(HtmlReport.esc(role)).append("</text>");
            owners(role, y);
            svg.append("</g>\n");
        }
        alarms();
        faults();
        if (report.faultsFrom() != null) {
            double fx = x(report.faultsFrom());
            svg.append("<g class=\"faults-from\"><line x1=\"").append(n(fx)).append("\" x2=\"").append(n(fx))
                    .append("\" y1=\"").append(TOP - 4).append("\" y2=\"").append(h - AXIS).append("\"/>")
                    .append("<text x=\"").append(n(fx + 3)).append("\" y=\"").append(TOP - 8)
                    .append("\">all serving: fault times count from here</text></g>\n");
        }
        for (Report.Handover ho : report.handovers()) {
            handover(ho);
        }
        violations();
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void axis(int h) {
        double step = tickStep(end);
        svg.append("<g class=\"axis\">");
        for (double t = 0; t <= end + 1e-9; t += step) {
            double tx = x(t);
            svg.append("<line x1=\"").append(n(tx)).append("\" x2=\"").append(n(tx)).append("\" y1=\"").append(TOP)
                    .append("\" y2=\"").append(h - AXIS).append("\"/><text x=\"").append(n(tx)).append("\" y=\"")
                    .append(h - AXIS + 16).append("\">").append(Format.number(t)).append(" s</text>");
        }
        svg.append("</g>\n");
    }

    /** About eight ticks at a round number of seconds. */
    static double tickStep(double end) {
        for (double s : new double[] {1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600}) {
            if (end / s <= 10) {
                return s;
            }
        }
        return Math.ceil(end / 10 / 3600) * 3600;
    }

    /** Who held the role: from each handover's SERVING until the next claim of the role, or the run's end. */
    private void owners(String role, int y) {
        List<Report.Handover> of = report.handovers().stream().filter(h -> h.role().equals(role))
                .sorted(Comparator.comparingDouble(h -> h.times() == null || h.times().started() == null ? 0
                        : h.times().started()))
                .toList();
        for (int i = 0; i < of.size(); i++) {
            Report.Handover h = of.get(i);
            if (h.times() == null || h.times().serving() == null) {
                continue;
            }
            double from = h.times().serving();
            double to = end;
            for (int j = i + 1; j < of.size(); j++) {
                Report.Times next = of.get(j).times();
                if (next != null && next.claimed() != null && next.claimed() >= from) {
                    to = next.claimed();
                    break;
                }
            }
            double x0 = x(from);
            double w = Math.max(1, x(to) - x0);
            String owner = h.toInstance();
            svg.append("<g class=\"owner\" data-instance=\"").append(HtmlReport.esc(owner)).append("\">")
                    .append(rect("owner-span", x0, y + 24, w, 16))
                    .append("<title>").append(HtmlReport.esc(role + " served by " + owner + " at epoch " + h.epoch()
                            + ", t+" + Format.number(from) + " s to t+" + Format.number(to) + " s")).append("</title>");
            String label = w > owner.length() * 6.6 + 6 ? owner : w > 48 ? "…" + owner.substring(owner.length() - 5) : "";
            if (!label.isEmpty()) {
                svg.append("<text class=\"owner-label\" x=\"").append(n(x0 + 4)).append("\" y=\"").append(y + 36)
                        .append("\">").append(HtmlReport.esc(label)).append("</text>");
            }
            svg.append("</g>");
        }
    }

    /** started, claimed, fenced, detached, attached, serving: the edges of the five phases. */
    private static List<Double> boundaries(Report.Handover h) {
        Report.Times t = h.times();
        if (t == null) {
            return List.of();
        }
        List<Double> b = new ArrayList<>();
        b.add(t.started());
        b.add(t.claimed());
        b.add(t.fenced());
        b.add(t.detached());
        b.add(t.attached());
        b.add(t.serving());
        return b;
    }

    private void handover(Report.Handover h) {
        List<Double> b = boundaries(h);
        if (b.isEmpty() || b.get(0) == null || !roles.contains(h.role())) {
            return;
        }
        int y = rowY(h.role()) + 5;
        svg.append("<g class=\"handover outcome-").append(HtmlReport.esc(h.outcome())).append("\" data-execution=\"")
                .append(HtmlReport.esc(h.execution())).append("\" data-role=\"").append(HtmlReport.esc(h.role()))
                .append("\" data-kind=\"").append(HtmlReport.esc(h.kind())).append("\">");
        svg.append("<title>").append(HtmlReport.esc(HtmlReport.describe(h))).append("</title>");
        // A phase that did not happen (no detach when nothing was attached elsewhere) leaves its edge
        // null: the next phase starts where the last known one ended.
        double last = b.get(0);
        for (int i = 0; i < PHASES.size(); i++) {
            Double edge = b.get(i + 1);
            if (edge == null) {
                continue;
            }
            double x0 = x(last);
            svg.append(rect("phase phase-" + PHASES.get(i), x0, y, Math.max(1.5, x(edge) - x0), 15));
            last = edge;
        }
        if (!h.ok()) {
            double mx = x(last);
            svg.append("<path class=\"end-mark\" d=\"M").append(n(mx)).append(' ').append(y - 2).append(" l6 19 m0 -19 l-6 19\"/>")
                    .append("<text class=\"end-label\" x=\"").append(n(mx + 8)).append("\" y=\"").append(y + 12).append("\">")
                    .append(HtmlReport.esc(h.outcome().toLowerCase(Locale.ROOT))).append("</text>");
        }
        svg.append("</g>\n");
    }

    private void faults() {
        int i = 0;
        for (Report.InjectedFault f : report.faults()) {
            i++;
            if (f.struckAt() == null) {
                continue;
            }
            boolean onRole = f.role() != null && roles.contains(f.role());
            int y0 = onRole ? rowY(f.role()) : TOP;
            int y1 = onRole ? y0 + ROW : TOP + LANE + ROW * roles.size();
            double fx = x(f.struckAt());
            svg.append("<g class=\"fault").append(f.problem() == null ? "" : " not-applied").append("\" data-kind=\"")
                    .append(HtmlReport.esc(f.kind())).append("\" data-fault=\"").append(i).append("\"")
                    .append(f.role() == null ? "" : " data-role=\"" + HtmlReport.esc(f.role()) + "\"").append(">");
            svg.append("<title>").append(HtmlReport.esc(HtmlReport.describe(f))).append("</title>");
            if (f.seconds() != null) {
                svg.append(rect("fault-window", fx, y0, Math.max(1, x(f.struckAt() + f.seconds()) - fx), y1 - y0));
            }
            svg.append("<line class=\"fault-line\" x1=\"").append(n(fx)).append("\" x2=\"").append(n(fx)).append("\" y1=\"")
                    .append(y0).append("\" y2=\"").append(y1).append("\"/>");
            int my = onRole ? y0 + 3 : TOP + 3;
            svg.append("<path class=\"fault-mark\" d=\"M").append(n(fx)).append(' ').append(my + 12).append(" l-6 -12 h12 z\"/>");
            svg.append("</g>\n");
        }
    }

    /**
     * Each health alarm's time in ALARM as a band under its role's row, with a mark where it went off.
     * Only after every role first served: until its server's agent reports, a role's alarm is in ALARM
     * (missing data is breaching), which says nothing about a failure.
     */
    private void alarms() {
        List<Report.AlarmChange> changes = report.alarms() == null ? List.of() : report.alarms();
        double from = report.faultsFrom() == null ? 0 : report.faultsFrom();
        for (int i = 0; i < changes.size(); i++) {
            Report.AlarmChange a = changes.get(i);
            if (!"ALARM".equals(a.to()) || a.at() < from || a.role() == null || !roles.contains(a.role())) {
                continue;
            }
            double until = end;
            for (int j = i + 1; j < changes.size(); j++) {
                if (a.alarm().equals(changes.get(j).alarm())) {
                    until = changes.get(j).at();
                    break;
                }
            }
            int y = rowY(a.role());
            double ax = x(a.at());
            svg.append("<g class=\"alarm\" data-role=\"").append(HtmlReport.esc(a.role())).append("\">")
                    .append(rect("alarm-band", ax, y + ROW - 5, Math.max(2, x(until) - ax), 4))
                    .append("<path class=\"alarm-mark\" d=\"M").append(n(ax)).append(' ').append(y + ROW - 9)
                    .append(" l5 5 l-5 5 l-5 -5 z\"/><title>").append(HtmlReport.esc("health alarm " + a.alarm() + ": "
                            + a.from() + " -> ALARM at t+" + Format.number(a.at()) + " s, until t+" + Format.number(until)
                            + " s")).append("</title></g>\n");
        }
    }

    private void violations() {
        for (Report.Violation v : report.violations()) {
            if (v.at() == null) {
                continue;
            }
            double vx = x(v.at());
            int y = TOP + 4;
            svg.append("<g class=\"violation\" data-invariant=\"").append(HtmlReport.esc(v.invariant())).append("\">")
                    .append("<path class=\"violation-mark\" d=\"M").append(n(vx - 6)).append(' ').append(y).append(" l12 16 m0 -16 l-12 16\"/>")
                    .append("<text class=\"violation-label\" x=\"").append(n(vx + 8)).append("\" y=\"").append(y + 13).append("\">")
                    .append(HtmlReport.esc(v.invariant())).append("</text><title>").append(HtmlReport.esc(v.invariant() + ": "
                            + v.detail())).append("</title></g>\n");
        }
    }

    private static String rect(String cls, double x, double y, double w, double h) {
        return "<rect class=\"" + cls + "\" x=\"" + n(x) + "\" y=\"" + n(y) + "\" width=\"" + n(w) + "\" height=\"" + n(h)
                + "\"/>";
    }

    private static String n(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }
}
