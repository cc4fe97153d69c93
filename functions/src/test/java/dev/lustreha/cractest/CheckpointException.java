package dev.lustreha.cractest;

/** See {@link Resource}. */
public class CheckpointException extends Exception {

    public CheckpointException(Throwable cause) {
        super(cause);
    }
}
