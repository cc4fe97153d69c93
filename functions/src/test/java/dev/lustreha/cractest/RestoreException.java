package dev.lustreha.cractest;

/** See {@link Resource}. */
public class RestoreException extends Exception {

    public RestoreException(Throwable cause) {
        super(cause);
    }
}
