package dev.lustreha.domain;

import java.util.regex.Pattern;

/**
 * One EBS volume of a role: a Lustre target.
 *
 * @param device the device name it is attached at ({@code /dev/sdf}..{@code /dev/sdp}); on Nitro
 *     instances the OS names it {@code /dev/nvmeXn1} in any order, so the instance finds it by the
 *     volume id in its NVMe serial, never by this name
 * @param targetLabel the Lustre target it holds, e.g. {@code scratch-OST0003}
 */
public record Volume(String volumeId, String device, String targetLabel) {

    private static final Pattern VOLUME_ID = Pattern.compile("vol-[0-9a-f]{8,17}");
    private static final Pattern DEVICE = Pattern.compile("/dev/sd[f-p]");

    public Volume {
        if (volumeId == null || !VOLUME_ID.matcher(volumeId).matches()) {
            throw new IllegalArgumentException("not an EBS volume id: '" + volumeId + "'");
        }
        if (device == null || !DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device for " + volumeId + " must be /dev/sdf../dev/sdp, not '" + device + "'");
        }
        if (targetLabel == null || targetLabel.isBlank()) {
            throw new IllegalArgumentException("volume " + volumeId + " needs a target label");
        }
    }
}
