package dev.lustreha.errors;

/** The tables could not be reached or throttled us past the SDK's own retries. Safe to retry later. */
public final class StoreUnavailableException extends LustreHaException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
