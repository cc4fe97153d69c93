package dev.lustreha.local.lambda;

/** A top-level exception, as lustre-ha's are, so its class name is what the runtime reports. */
class VolumeMissingException extends RuntimeException {

    VolumeMissingException(String message) {
        super(message);
    }
}
