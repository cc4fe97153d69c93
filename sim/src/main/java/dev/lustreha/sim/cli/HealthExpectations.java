package dev.lustreha.sim.cli;

import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.health.HealthAlarmSpec;
import dev.lustreha.local.cloud.History;
import dev.lustreha.sim.LocalCloud;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * A scenario's health expectations ({@code moves}, {@code neverAlarmed}, {@code held}), judged from
 * the simulated cloud: its history for moves and alarm states, the role table and CloudWatch for a
 * role held for a person.
 */
final class HealthExpectations {

    private HealthExpectations() {
    }

    /** How many times each role's ENI was attached to another instance than the one that last held it, after {@code t0}. */
    static Map<String, Integer> moves(LocalCloud cloud, Instant t0) {
        Map<String, String> roleOfEni = new HashMap<>();
        for (RoleResources r : cloud.pool()) {
            roleOfEni.put(r.network().eniId(), r.role().id().value());
        }
        Map<String, String> lastHolder = new HashMap<>();
        Map<String, Integer> moves = new HashMap<>();
        for (History.Entry e : cloud.sim().history().entries("Ec2.AttachNetworkInterface")) {
            String role = roleOfEni.get(e.get("eni"));
            if (role == null) {
                continue;
            }
            String before = lastHolder.put(role, e.get("instance"));
            if (!e.at().isBefore(t0) && before != null && !before.equals(e.get("instance"))) {
                moves.merge(role, 1, Integer::sum);
            }
        }
        return moves;
    }

    /** The roles whose health alarm left OK after {@code t0}, with the first such change. */
    static Map<String, String> alarmed(LocalCloud cloud, Instant t0) {
        Map<String, String> out = new HashMap<>();
        for (History.Entry e : cloud.sim().history().entries("CloudWatch.AlarmStateChange")) {
            if (e.at().isBefore(t0) || "OK".equals(e.get("to"))) {
                continue;
            }
            HealthAlarmSpec.roleOf(cloud.spec().name(), e.get("alarm"))
                    .ifPresent(r -> out.putIfAbsent(r.value(), e.at() + " " + e.get("from") + " -> " + e.get("to")));
        }
        return out;
    }

    /** Whether the health trigger holds the role for a person now, with its alarm raised. */
    static boolean held(LocalCloud cloud, String role) {
        Role r = cloud.role(role);
        Optional<StateValue> alarm = cloud.sim().cloudWatch()
                .stateOf(HealthAlarmSpec.alarmName(cloud.spec().name(), RoleId.parse(role)));
        return r.health().hold().isPresent() && alarm.filter(StateValue.ALARM::equals).isPresent();
    }

    /** The expectations on moves and alarms, judged at the end of the run. */
    static List<Report.Expectation> atEnd(Scenario.Expect expect, LocalCloud cloud, Instant t0) {
        List<Report.Expectation> out = new ArrayList<>();
        Map<String, Integer> moves = moves(cloud, t0);
        expect.moves().forEach((role, n) -> {
            int measured = moves.getOrDefault(role, 0);
            out.add(new Report.Expectation("moves " + role, n, (double) measured, measured == n));
        });
        Map<String, String> alarmed = alarmed(cloud, t0);
        for (String role : expect.neverAlarmed()) {
            out.add(new Report.Expectation("neverAlarmed " + role, 0, alarmed.containsKey(role) ? 1.0 : 0.0,
                    !alarmed.containsKey(role)));
        }
        return out;
    }
}
