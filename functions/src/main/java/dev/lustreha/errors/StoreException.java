package dev.lustreha.errors;

/**
 * The tables rejected a request for a reason a retry will not fix (missing table, access denied, a
 * malformed item). A deployment or code defect: it fails the workflow with this message.
 */
public final class StoreException extends LustreHaException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
