package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page drawn from a fixed report: what it draws, that it loads nothing, that it escapes. */
class HtmlReportTest {

    private static Report.Handover handover(String role, String from, String to, String outcome, String kind, long epoch,
            Double... t) {
        Report.Times times = new Report.Times(t[0], t[1], t[2], t[3], t[4], t[5], t[5]);
        Report.Phases phases = new Report.Phases(0.0, t[2] == null ? null : t[2] - t[1], null, null, null,
                t[5] == null ? null : t[5] - t[0]);
        return new Report.Handover(role, from, to, "SERVING".equals(outcome), outcome, kind + "-" + to + "-" + role, phases,
                kind, epoch, times);
    }

    static Report sample() {
        List<Report.Handover> handovers = List.of(
                handover("mgs", null, "i-0000000000000000a", "SERVING", "launch", 1, 1.0, 1.0, 1.1, 1.1, 15.0, 15.1),
                handover("oss01", null, "i-0000000000000000b", "SERVING", "launch", 1, 1.2, 1.2, 1.3, 1.3, 14.0, 14.2),
                handover("oss01", "i-0000000000000000b", "i-0000000000000000c", "SERVING", "standby", 2,
                        150.0, 150.0, 155.0, 159.0, 163.0, 163.1),
                handover("oss01", "i-0000000000000000c", "i-0000000000000000d", "FAILED", "launch", 3,
                        200.0, 200.0, null, null, null, null));
        return new Report("demo <script>alert(1)</script>", false,
                List.of(new Report.Violation("I2", "t detach of vol-1 from i-0000000000000000c while it was running", 201.0),
                        new Report.Violation("I5", "lifecycle action x still open at the end of the run", null)),
                List.of(new Report.RoleRow("mgs", "i-0000000000000000a", "SERVING", 1),
                        new Report.RoleRow("oss01", "i-0000000000000000c", "SERVING", 2)),
                handovers, Map.of("Ec2.AttachVolume", 5L), 300, 4.2, 7, 1,
                List.of(new Report.Expectation("allServingWithin", 600, 40.0, true)),
                List.of(new Report.InjectedFault(100, "terminate", "oss01", null, "i-0000000000000000b", null, 140.0),
                        new Report.InjectedFault(120, "throttle", null, 30.0, "every EC2 and Auto Scaling call", null, 160.0)),
                40.0, List.of(new Report.AlarmChange(145, "lustre-ha-scratch-oss01-health", "oss01", "OK", "ALARM"),
                        new Report.AlarmChange(170, "lustre-ha-scratch-oss01-health", "oss01", "ALARM", "OK")),
                "./lustre-ha demo --seed 7");
    }

    private static int count(String page, String regex) {
        Matcher m = Pattern.compile(regex).matcher(page);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void drawsEveryRoleHandoverFaultAlarmAndTimedViolation() {
        String page = HtmlReport.render(sample());
        assertEquals(2, count(page, "<g class=\"role-row\" data-role="));
        assertEquals(4, count(page, "<g class=\"handover outcome-"));
        assertEquals(1, count(page, "<g class=\"handover outcome-SERVING\" data-execution=\"standby-"), "the standby failover");
        assertEquals(4, count(page, "<tr class=\"handover-row"));
        assertEquals(2, count(page, "<g class=\"fault\""));
        assertEquals(1, count(page, "class=\"fault-window\""), "the throttle's 30 s window");
        assertEquals(1, count(page, "<g class=\"alarm\""));
        assertEquals(1, count(page, "<g class=\"violation\""), "only the violation with a time is drawn");
        assertEquals(2, count(page, "<tr class=\"violation-row\""), "both are listed");
        // The standby handover's five phases, each a rect; the failed one ends with a mark after its claim.
        assertTrue(page.contains("class=\"phase phase-record\""));
        assertTrue(page.contains("class=\"end-mark\""));
        assertTrue(page.contains("<span id=\"outcome\" class=\"badge\">NOT OK</span>"));
        assertTrue(page.contains("<code id=\"replay\">./lustre-ha demo --seed 7</code>"));
    }

    @Test
    void loadsNothingAndEscapesWhatItShows() {
        String page = HtmlReport.render(sample());
        assertFalse(page.contains("<script>alert(1)"), "the scenario's name is text, not markup");
        assertTrue(page.contains("demo &lt;script&gt;alert(1)&lt;/script&gt;"));
        for (String fetch : List.of(" src=", " href=", "url(", "@import", "<link", "<iframe", "<img")) {
            assertFalse(page.contains(fetch), "nothing to fetch: " + fetch);
        }
        assertEquals(1, count(page, "https?://"), "only the SVG namespace, which is a name, never fetched");
        assertTrue(page.contains("content=\"default-src 'none';"));
        // Exactly the two script elements the page ends with: the data cannot close one early.
        assertEquals(2, count(page, "</script>"));
    }

    @Test
    void embedsTheReportItIsDrawnFrom() {
        Report r = sample();
        String page = HtmlReport.render(r);
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"report-data\">(.*?)</script>", Pattern.DOTALL)
                .matcher(page);
        assertTrue(m.find());
        assertEquals(r, Report.read(m.group(1)));
        assertEquals(r, Report.read(r.toJson()));
    }

    @Test
    void ticksFallOnRoundSeconds() {
        assertEquals(1, TimelineSvg.tickStep(9));
        assertEquals(60, TimelineSvg.tickStep(420));
        assertEquals(120, TimelineSvg.tickStep(820));
        assertEquals(3600, TimelineSvg.tickStep(30_000));
    }
}
