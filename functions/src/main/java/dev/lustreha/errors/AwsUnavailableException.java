package dev.lustreha.errors;

/** EC2 or Auto Scaling throttled us, failed on its side, or could not be reached. Safe to retry later. */
public final class AwsUnavailableException extends LustreHaException {

    private final boolean throttled;

    public AwsUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param throttled the service refused for its request rate limit (RequestLimitExceeded, Throttling) */
    public AwsUnavailableException(String message, Throwable cause, boolean throttled) {
        super(message, cause);
        this.throttled = throttled;
    }

    /** True when the service throttled the call: the caller should slow down, not count it as a fault. */
    public boolean throttled() {
        return throttled;
    }
}
