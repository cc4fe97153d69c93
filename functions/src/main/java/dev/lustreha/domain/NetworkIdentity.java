package dev.lustreha.domain;

import java.util.regex.Pattern;

/**
 * A role's stable network identity: one ENI whose primary private IP is the address in the role's
 * Lustre NID ({@code <ip>@tcp}); it moves with the role, so clients reconnect to the same NID.
 */
public record NetworkIdentity(String eniId, String privateIp) {

    private static final Pattern ENI_ID = Pattern.compile("eni-[0-9a-f]{8,17}");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    public NetworkIdentity {
        if (eniId == null || !ENI_ID.matcher(eniId).matches()) {
            throw new IllegalArgumentException("not an ENI id: '" + eniId + "'");
        }
        if (privateIp == null || !IPV4.matcher(privateIp).matches()) {
            throw new IllegalArgumentException("ENI " + eniId + " needs an IPv4 private address, not '" + privateIp + "'");
        }
    }
}
