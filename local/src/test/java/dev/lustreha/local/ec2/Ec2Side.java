package dev.lustreha.local.ec2;

import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * One EC2 of the comparison (the simulator or moto) behind the same SDK interface. The two
 * clouds give different ids to the same scenario resource, so each side maps its ids to the
 * scenario's names ({@code vol-ost0}, {@code i-oss-a}, ...), and views show names, never ids.
 */
final class Ec2Side {

    final String label;
    final Ec2Client ec2;
    private final Runnable settle;
    private final Map<String, String> nameOfId = new HashMap<>();
    private final Map<String, String> idOfName = new HashMap<>();
    /** The instance's root device name, which depends on the AMI (/dev/xvda, /dev/sda1). */
    String rootDevice = "";

    Ec2Side(String label, Ec2Client ec2, Runnable settle) {
        this.label = label;
        this.ec2 = ec2;
        this.settle = settle;
    }

    /** Names a resource of this side; returns its id. */
    String name(String id, String name) {
        if (id == null) {
            throw new IllegalArgumentException(label + ": no id to name " + name);
        }
        nameOfId.put(id, name);
        idOfName.put(name, id);
        return id;
    }

    /** This side's id of a named resource. */
    String id(String name) {
        String id = idOfName.get(name);
        if (id == null) {
            throw new IllegalStateException(label + ": nothing named " + name + " yet");
        }
        return id;
    }

    /** The scenario name of an id; an id never named shows as itself, so it can never match the other side. */
    String nameOf(String id) {
        if (id == null) {
            return null;
        }
        return nameOfId.getOrDefault(id, "unnamed " + id);
    }

    /** An attachment id: its name when the scenario named it, else just whether one is there. */
    String attachmentId(String id) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        return nameOfId.getOrDefault(id, id.startsWith("eni-attach-") ? "<present>" : "malformed " + id);
    }

    /** Device names as the scenario sees them: the AMI's root device is just "root". */
    String device(String device) {
        return device != null && device.equals(rootDevice) ? "<root device>" : device;
    }

    /** Lets transient states end: the simulator advances its virtual clock; moto has none. */
    void settle() {
        settle.run();
    }

    @Override
    public String toString() {
        return label;
    }
}
