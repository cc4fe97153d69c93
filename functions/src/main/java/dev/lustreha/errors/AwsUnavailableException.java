package dev.lustreha.errors;

/** EC2 or Auto Scaling throttled us, failed on its side, or could not be reached. Safe to retry later. */
public final class AwsUnavailableException extends LustreHaException {

    public AwsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
