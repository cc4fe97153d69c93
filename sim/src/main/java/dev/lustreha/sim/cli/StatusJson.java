package dev.lustreha.sim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.Volume;
import dev.lustreha.history.HandoverRecord;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code status --json}: what {@link StatusView} prints, for scripts, as one JSON document whose
 * {@code schema} names its version ({@value #SCHEMA}; docs/observability.md describes every field). A
 * new field keeps the version; a field removed, renamed or changed in meaning raises it. Pure.
 */
final class StatusJson {

    static final String SCHEMA = "lustre-ha.status/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusJson() {
    }

    static String render(FileSystemName fs, String where, Instant now, List<Role> roles, List<RoleResources> resources,
            StatusView.Handovers handovers) {
        Map<RoleId, Role> byId = roles.stream().collect(Collectors.toMap(Role::id, Function.identity()));
        Map<RoleId, RoleResources> pool = resources.stream()
                .collect(Collectors.toMap(r -> r.role().id(), Function.identity()));
        TreeSet<RoleId> ids = new TreeSet<>(byId.keySet());
        ids.addAll(pool.keySet());

        ObjectNode root = JSON.createObjectNode().put("schema", SCHEMA).put("fileSystem", fs.value())
                .put("readFrom", where).put("readAt", now.toString());
        ArrayNode notServing = JSON.createArrayNode();
        ArrayNode rows = JSON.createArrayNode();
        for (RoleId id : ids) {
            Role r = byId.get(id);
            RoleResources res = pool.get(id);
            if (r == null || r.state() != RoleState.SERVING) {
                notServing.add(id.value());
            }
            ObjectNode row = rows.addObject().put("role", id.value()).put("type", id.type().name());
            row.put("availabilityZone", r != null ? r.availabilityZone() : res.availabilityZone());
            row.put("nid", res == null ? null : StatusView.nid(res));
            row.put("owner", r == null ? null : r.owner().orElse(null));
            row.put("state", r == null ? null : r.state().name());
            if (r == null) {
                row.putNull("epoch");
                row.putNull("mountedEpoch");
            } else {
                row.put("epoch", r.epoch());
                row.put("mountedEpoch", r.health().mountedEpoch().orElse(null));
            }
            ArrayNode volumes = row.putArray("volumes");
            for (Volume v : res == null ? List.<Volume>of() : res.volumes()) {
                volumes.addObject().put("volumeId", v.volumeId()).put("device", v.device())
                        .put("target", v.targetLabel());
            }
            ArrayNode moves = row.putArray("healthFailovers");
            if (r != null) {
                r.health().failovers().forEach(t -> moves.add(t.toString()));
            }
            row.put("heldForPerson", r == null ? null : r.health().hold().orElse(null));
            HandoverRecord h = handovers.latest().get(id);
            if (h == null) {
                // Also when the history was not read: lastHandoversUnknownBecause says so.
                row.putNull("lastHandover");
            } else {
                row.putObject("lastHandover").put("execution", h.execution()).put("from", h.fromInstance())
                        .put("to", h.toInstance()).put("epoch", h.epoch()).put("outcome", h.outcome())
                        .put("startedAt", text(h.startedAt())).put("completedAt", text(h.completedAt()))
                        .put("totalSeconds", h.totalSeconds()).put("fenceSeconds", h.fenceSeconds())
                        .put("detachSeconds", h.detachSeconds()).put("attachSeconds", h.attachSeconds())
                        .put("reason", h.reason());
            }
        }
        root.put("roleCount", ids.size()).put("allServing", notServing.isEmpty());
        root.set("notServing", notServing);
        root.put("lastHandoversUnknownBecause", handovers.unknownBecause());
        root.set("roles", rows);
        RoleResources mgs = pool.get(RoleId.parse("mgs"));
        root.put("mountCommand", mgs == null ? null
                : "mount -t lustre " + StatusView.nid(mgs) + ":/" + fs + " /mnt/" + fs);
        try {
            // Pretty: a person reads it too, and jq and json.load do not mind.
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
