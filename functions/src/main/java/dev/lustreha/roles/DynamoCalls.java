package dev.lustreha.roles;

import dev.lustreha.errors.StoreException;
import dev.lustreha.errors.StoreUnavailableException;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** One DynamoDB operation of a lustre-ha table, with storage SDK failures turned into lustre-ha's own. */
public final class DynamoCalls {

    private DynamoCalls() {
    }

    /**
     * Throttling, server errors and unreachable endpoints become {@link StoreUnavailableException}
     * (retryable); anything else, a malformed item included, {@link StoreException}.
     */
    public static <T> T call(String what, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (DynamoDbException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new StoreUnavailableException(what + ": " + e.getMessage(), e);
            }
            throw new StoreException(what + ": " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw new StoreUnavailableException(what + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new StoreException(what + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // A stored item that does not decode: someone wrote the table by hand, or a layout bug.
            throw new StoreException(what + ": malformed item: " + e.getMessage(), e);
        }
    }
}
