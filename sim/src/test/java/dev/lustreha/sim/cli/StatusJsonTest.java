package dev.lustreha.sim.cli;

import static dev.lustreha.sim.cli.StatusViewTest.FS;
import static dev.lustreha.sim.cli.StatusViewTest.NOW;
import static dev.lustreha.sim.cli.StatusViewTest.POOL;
import static dev.lustreha.sim.cli.StatusViewTest.ROLES;
import static dev.lustreha.sim.cli.StatusViewTest.handover;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustreha.domain.RoleId;
import dev.lustreha.history.HandoverRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code status --json}: the same fixtures as {@link StatusViewTest}, every field checked. */
class StatusJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode render(StatusView.Handovers handovers, List<dev.lustreha.domain.Role> roles,
            List<dev.lustreha.domain.RoleResources> pool) throws Exception {
        String text = StatusJson.render(FS, "tables R, S and H in us-east-1", NOW, roles, pool, handovers);
        assertTrue(text.endsWith("}\n"), text);
        return JSON.readTree(text);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void everyRoleItsVolumesItsLastHandoverAndTheMountCommand() throws Exception {
        Map<RoleId, HandoverRecord> latest = Map.of(
                RoleId.parse("mds01"), handover("mds01", "i-0a000000000000001", "i-0a00000000000000b", 2, "SERVING",
                        "2026-11-21T10:29:18Z", 11.3, 5.7, 8.0, 25.5, null),
                RoleId.parse("oss02"), handover("oss02", "i-0a000000000000002", "i-0a00000000000000d", 2, "FAILED",
                        "2026-11-19T10:00:00Z", null, null, null, 600.0, "timed out"));
        JsonNode doc = render(StatusView.Handovers.of(latest), ROLES, POOL);
        assertEquals("lustre-ha.status/1", doc.path("schema").asText());
        assertEquals("scratch", doc.path("fileSystem").asText());
        assertEquals("tables R, S and H in us-east-1", doc.path("readFrom").asText());
        assertEquals("2026-11-21T10:30:00Z", doc.path("readAt").asText());
        assertEquals(4, doc.path("roleCount").asInt());
        assertEquals(false, doc.path("allServing").asBoolean(true));
        assertEquals(List.of("oss02"), texts(doc.path("notServing")));
        assertTrue(doc.path("lastHandoversUnknownBecause").isNull(), doc.toString());
        assertEquals("mount -t lustre 10.0.1.10@tcp:/scratch /mnt/scratch", doc.path("mountCommand").asText());

        JsonNode roles = doc.path("roles");
        List<String> ids = new ArrayList<>();
        roles.forEach(r -> ids.add(r.path("role").asText()));
        assertEquals(List.of("mgs", "mds01", "oss01", "oss02"), ids, "the text view's order");

        JsonNode oss02 = roles.get(3);
        assertEquals("OSS", oss02.path("type").asText());
        assertEquals("us-east-1a", oss02.path("availabilityZone").asText());
        assertEquals("10.0.1.13@tcp", oss02.path("nid").asText());
        assertEquals("i-0a00000000000000e", oss02.path("owner").asText());
        assertEquals("CLAIMED", oss02.path("state").asText());
        assertEquals(3, oss02.path("epoch").asLong());
        assertTrue(oss02.path("epoch").isIntegralNumber());
        assertTrue(oss02.path("mountedEpoch").isNull(), "no bootstrap reported a mount");
        assertEquals(2, oss02.path("volumes").size());
        assertEquals("vol-0a000000000000006", oss02.path("volumes").get(1).path("volumeId").asText());
        assertEquals("/dev/sdg", oss02.path("volumes").get(1).path("device").asText());
        assertEquals("scratch-OST0003", oss02.path("volumes").get(1).path("target").asText());
        JsonNode failed = oss02.path("lastHandover");
        assertEquals("FAILED", failed.path("outcome").asText());
        assertEquals("i-0a000000000000002", failed.path("from").asText());
        assertEquals("launch-i-0a00000000000000d", failed.path("execution").asText());
        assertEquals(600.0, failed.path("totalSeconds").asDouble());
        assertTrue(failed.path("fenceSeconds").isNull() && failed.path("attachSeconds").isNull(), failed.toString());
        assertEquals("timed out", failed.path("reason").asText());
        assertEquals("2026-11-19T10:00:00Z", failed.path("completedAt").asText());

        JsonNode mds01 = roles.get(1).path("lastHandover");
        assertEquals(11.3, mds01.path("fenceSeconds").asDouble());
        assertEquals(25.5, mds01.path("totalSeconds").asDouble());
        assertEquals(2, mds01.path("epoch").asLong());
        assertTrue(roles.get(2).path("lastHandover").isNull(), "oss01: none recorded");
    }

    @Test
    void withoutTheHistoryAndTheMgsResourcesTheFieldsAreNullNotMissing() throws Exception {
        JsonNode doc = render(StatusView.Handovers.unknown("no --history-table given"),
                ROLES.stream().filter(r -> !r.id().value().equals("oss02")).toList(),
                POOL.stream().filter(r -> !r.role().id().value().equals("mgs")).toList());
        assertEquals("no --history-table given", doc.path("lastHandoversUnknownBecause").asText());
        assertTrue(doc.has("mountCommand") && doc.path("mountCommand").isNull(), doc.toString());
        assertEquals(List.of("oss02"), texts(doc.path("notServing")), "resources, no role item");
        for (JsonNode r : doc.path("roles")) {
            assertTrue(r.has("lastHandover") && r.path("lastHandover").isNull(), r.toString());
        }
        JsonNode mgs = doc.path("roles").get(0);
        assertTrue(mgs.path("nid").isNull() && mgs.path("volumes").isEmpty(), mgs.toString());
        JsonNode oss02 = doc.path("roles").get(3);
        assertTrue(oss02.path("state").isNull() && oss02.path("owner").isNull() && oss02.path("epoch").isNull(),
                oss02.toString());
    }
}
