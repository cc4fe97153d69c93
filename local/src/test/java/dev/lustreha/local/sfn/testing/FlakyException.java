package dev.lustreha.local.sfn.testing;

/** What {@link FlakyHandler} throws while it is still failing: a top-level class, as the workflow's are. */
public class FlakyException extends RuntimeException {

    public FlakyException(String message) {
        super(message);
    }
}
