package dev.lustreha.errors;

/**
 * The new owner already uses the device name or ENI device index a role needs: this instance
 * cannot take the role. A relaunch gives a clean instance, so the launch is abandoned.
 */
public final class DeviceConflictException extends LustreHaException {

    public DeviceConflictException(String message) {
        super(message);
    }
}
