package dev.lustreha.errors;

/** A workflow step got input it cannot act on (a bug or a hand-made execution): it fails without touching anything. */
public final class BadInputException extends LustreHaException {

    public BadInputException(String message) {
        super(message);
    }
}
