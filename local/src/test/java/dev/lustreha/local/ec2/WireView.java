package dev.lustreha.local.ec2;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.AttachNetworkInterfaceResponse;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DetachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterface;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceAttachment;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

/**
 * The fields lustre-ha reads from EC2 responses, as a tree of sorted maps with scenario names in
 * place of ids, so the simulator's answer and moto's can be compared on structure. A comparison
 * failure prints both sides in full and the paths that differ.
 */
final class WireView {

    private WireView() {
    }

    // ------------------------------------------------------------------ views

    static Map<String, Object> volume(Ec2Side s, Volume v) {
        Map<String, Object> m = new TreeMap<>();
        String name = s.nameOf(v.volumeId());
        m.put("id", name);
        m.put("state", v.stateAsString());
        m.put("availabilityZone", v.availabilityZone());
        if (!name.startsWith("vol-root")) {
            // A root volume is made from the AMI: its size, type and encryption depend on the image.
            m.put("size", v.size());
            m.put("volumeType", v.volumeTypeAsString());
            m.put("encrypted", v.encrypted());
        }
        m.put("tags", tags(v.tags()));
        m.put("attachments", v.attachments().stream().map(a -> attachment(s, a)).toList());
        return m;
    }

    static Map<String, Object> volumes(Ec2Side s, Collection<Volume> vs) {
        Map<String, Object> m = new TreeMap<>();
        for (Volume v : vs) {
            m.put(s.nameOf(v.volumeId()), volume(s, v));
        }
        return Map.of("volumes", m);
    }

    private static Map<String, Object> attachment(Ec2Side s, VolumeAttachment a) {
        return attachment(s, a.volumeId(), a.instanceId(), a.device(), a.stateAsString(), a.deleteOnTermination());
    }

    private static Map<String, Object> attachment(Ec2Side s, String volumeId, String instanceId, String device,
            String state, Boolean deleteOnTermination) {
        Map<String, Object> m = new TreeMap<>();
        m.put("volume", s.nameOf(volumeId));
        m.put("instance", s.nameOf(instanceId));
        m.put("device", s.device(device));
        m.put("state", state);
        m.put("deleteOnTermination", deleteOnTermination);
        return m;
    }

    static Map<String, Object> createVolume(Ec2Side s, CreateVolumeResponse r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("id", s.nameOf(r.volumeId()));
        m.put("state", r.stateAsString());
        m.put("availabilityZone", r.availabilityZone());
        m.put("size", r.size());
        m.put("volumeType", r.volumeTypeAsString());
        m.put("encrypted", r.encrypted());
        m.put("tags", tags(r.tags()));
        return Map.of("createVolume", m);
    }

    static Map<String, Object> attachVolume(Ec2Side s, AttachVolumeResponse r) {
        return Map.of("attachVolume", attachment(s, r.volumeId(), r.instanceId(), r.device(), r.stateAsString(),
                r.deleteOnTermination()));
    }

    static Map<String, Object> detachVolume(Ec2Side s, DetachVolumeResponse r) {
        return Map.of("detachVolume", attachment(s, r.volumeId(), r.instanceId(), r.device(), r.stateAsString(),
                r.deleteOnTermination()));
    }

    static Map<String, Object> attachNetworkInterface(Ec2Side s, AttachNetworkInterfaceResponse r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("attachmentId", s.attachmentId(r.attachmentId()));
        m.put("networkCardIndex", r.networkCardIndex());
        return Map.of("attachNetworkInterface", m);
    }

    static Map<String, Object> eni(Ec2Side s, NetworkInterface e) {
        Map<String, Object> m = new TreeMap<>();
        m.put("id", s.nameOf(e.networkInterfaceId()));
        m.put("status", e.statusAsString());
        m.put("description", e.description());
        m.put("privateIpAddress", present(e.privateIpAddress()));
        m.put("subnet", s.nameOf(e.subnetId()));
        m.put("availabilityZone", e.availabilityZone());
        m.put("tags", tags(e.tagSet()));
        NetworkInterfaceAttachment a = e.attachment();
        if (a == null) {
            m.put("attachment", null);
        } else {
            Map<String, Object> am = new TreeMap<>();
            am.put("attachmentId", s.attachmentId(a.attachmentId()));
            am.put("instance", s.nameOf(a.instanceId()));
            am.put("deviceIndex", a.deviceIndex());
            am.put("status", a.statusAsString());
            am.put("deleteOnTermination", a.deleteOnTermination());
            m.put("attachment", am);
        }
        return m;
    }

    static Map<String, Object> enis(Ec2Side s, Collection<NetworkInterface> es) {
        Map<String, Object> m = new TreeMap<>();
        for (NetworkInterface e : es) {
            m.put(s.nameOf(e.networkInterfaceId()), eni(s, e));
        }
        return Map.of("enis", m);
    }

    static Map<String, Object> instance(Ec2Side s, Instance i) {
        Map<String, Object> m = new TreeMap<>();
        m.put("id", s.nameOf(i.instanceId()));
        m.put("state", state(i.state()));
        m.put("availabilityZone", i.placement() == null ? null : i.placement().availabilityZone());
        m.put("subnet", s.nameOf(i.subnetId()));
        m.put("tags", tags(i.tags()));
        Map<String, Object> devices = new TreeMap<>();
        for (InstanceBlockDeviceMapping d : i.blockDeviceMappings()) {
            Map<String, Object> dm = new TreeMap<>();
            dm.put("volume", d.ebs() == null ? null : s.nameOf(d.ebs().volumeId()));
            dm.put("status", d.ebs() == null ? null : d.ebs().statusAsString());
            dm.put("deleteOnTermination", d.ebs() == null ? null : d.ebs().deleteOnTermination());
            devices.put(s.device(d.deviceName()), dm);
        }
        m.put("blockDeviceMappings", devices);
        Map<String, Object> nics = new TreeMap<>();
        for (InstanceNetworkInterface n : i.networkInterfaces()) {
            Map<String, Object> nm = new TreeMap<>();
            nm.put("eni", s.nameOf(n.networkInterfaceId()));
            nm.put("status", n.statusAsString());
            nm.put("subnet", s.nameOf(n.subnetId()));
            nm.put("privateIpAddress", present(n.privateIpAddress()));
            if (n.attachment() != null) {
                nm.put("attachmentId", s.attachmentId(n.attachment().attachmentId()));
                nm.put("attachmentStatus", n.attachment().statusAsString());
                nm.put("deleteOnTermination", n.attachment().deleteOnTermination());
            }
            nics.put(n.attachment() == null ? "unattached " + n.networkInterfaceId()
                    : String.valueOf(n.attachment().deviceIndex()), nm);
        }
        m.put("networkInterfaces", nics);
        return Map.of("instance", m);
    }

    static Map<String, Object> stateChanges(String operation, Ec2Side s, List<InstanceStateChange> changes) {
        Map<String, Object> m = new TreeMap<>();
        for (InstanceStateChange c : changes) {
            Map<String, Object> cm = new TreeMap<>();
            cm.put("currentState", state(c.currentState()));
            cm.put("previousState", state(c.previousState()));
            m.put(s.nameOf(c.instanceId()), cm);
        }
        return Map.of(operation, m);
    }

    private static Object state(InstanceState st) {
        if (st == null) {
            return null;
        }
        Map<String, Object> m = new TreeMap<>();
        m.put("name", st.nameAsString());
        m.put("code", st.code());
        return m;
    }

    private static Map<String, String> tags(List<Tag> tags) {
        Map<String, String> m = new TreeMap<>();
        for (Tag t : tags) {
            m.put(t.key(), t.value());
        }
        return m;
    }

    private static String present(String value) {
        return value == null || value.isEmpty() ? null : "<present>";
    }

    /** The scenario names of some resources, sorted: what a filtered Describe found. */
    static TreeSet<String> names(Ec2Side s, Collection<String> ids) {
        TreeSet<String> out = new TreeSet<>();
        ids.forEach(id -> out.add(s.nameOf(id)));
        return out;
    }

    // ------------------------------------------------------------------ comparison

    /**
     * Asserts the simulator's view equals moto's, after masking on both sides the paths of the
     * given known differences (each shown as {@code <known difference: NAME>}, never dropped).
     */
    static void assertSame(String step, Object sim, Object moto, KnownMotoDifference... masked) {
        Object simMasked = mask("", sim, masked);
        Object motoMasked = mask("", moto, masked);
        Map<String, String> a = flatten(simMasked);
        Map<String, String> b = flatten(motoMasked);
        if (a.equals(b)) {
            return;
        }
        StringBuilder msg = new StringBuilder("simulator and moto disagree at step: " + step + "\n");
        TreeSet<String> paths = new TreeSet<>(a.keySet());
        paths.addAll(b.keySet());
        for (String p : paths) {
            String x = a.getOrDefault(p, "(absent)");
            String y = b.getOrDefault(p, "(absent)");
            if (!x.equals(y)) {
                msg.append("  ").append(p).append(": simulator=").append(x).append("  moto=").append(y).append('\n');
            }
        }
        msg.append("--- simulator ---\n").append(render(simMasked)).append("--- moto ---\n").append(render(motoMasked));
        fail(msg.toString());
    }

    private static Object mask(String path, Object node, KnownMotoDifference[] masked) {
        for (KnownMotoDifference d : masked) {
            for (String glob : d.paths) {
                if (glob(glob).matcher(path).matches()) {
                    return "<known difference: " + d.name() + ">";
                }
            }
        }
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), mask(join(path, String.valueOf(k)), v, masked)));
            return out;
        }
        if (node instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Object v : list) {
                out.add(mask(join(path, Integer.toString(i++)), v, masked));
            }
            return out;
        }
        return node;
    }

    /** A path glob: {@code *} stands for any run of characters within one path segment. */
    private static Pattern glob(String glob) {
        return Pattern.compile(String.join("[^/]*",
                Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).toList()));
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "/" + key;
    }

    /** Leaves by path; empty maps and lists are leaves too, so "no attachments" is compared. */
    private static Map<String, String> flatten(Object node) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String path, Object node, Map<String, String> out) {
        if (node instanceof Map<?, ?> map && !map.isEmpty()) {
            map.forEach((k, v) -> flatten(join(path, String.valueOf(k)), v, out));
        } else if (node instanceof Collection<?> list && !list.isEmpty()) {
            int i = 0;
            for (Object v : list) {
                flatten(join(path, Integer.toString(i++)), v, out);
            }
        } else if (node instanceof Map<?, ?>) {
            out.put(path, "{}");
        } else if (node instanceof Collection<?>) {
            out.put(path, "[]");
        } else {
            out.put(path, String.valueOf(node));
        }
    }

    /** An indented rendering of a view, for failure messages. */
    static String render(Object node) {
        StringBuilder b = new StringBuilder();
        render(node, "", b);
        return b.toString();
    }

    private static void render(Object node, String indent, StringBuilder b) {
        if (node instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                b.append(indent).append("{}\n");
            }
            map.forEach((k, v) -> {
                if ((v instanceof Map<?, ?> m && !m.isEmpty()) || (v instanceof Collection<?> c && !c.isEmpty())) {
                    b.append(indent).append(k).append(":\n");
                    render(v, indent + "  ", b);
                } else {
                    b.append(indent).append(k).append(": ").append(leaf(v)).append('\n');
                }
            });
        } else if (node instanceof Collection<?> list) {
            int i = 0;
            for (Object v : list) {
                b.append(indent).append("- [").append(i++).append("]\n");
                render(v, indent + "  ", b);
            }
        } else {
            b.append(indent).append(leaf(node)).append('\n');
        }
    }

    private static String leaf(Object v) {
        if (v instanceof Map<?, ?> m && m.isEmpty()) {
            return "{}";
        }
        if (v instanceof Collection<?> c && c.isEmpty()) {
            return "[]";
        }
        return String.valueOf(v);
    }
}
