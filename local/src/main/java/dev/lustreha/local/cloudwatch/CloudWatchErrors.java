package dev.lustreha.local.cloudwatch;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidFormatException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidNextTokenException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidParameterCombinationException;
import software.amazon.awssdk.services.cloudwatch.model.InvalidParameterValueException;
import software.amazon.awssdk.services.cloudwatch.model.MissingRequiredParameterException;
import software.amazon.awssdk.services.cloudwatch.model.ResourceNotFoundException;

/**
 * CloudWatch errors as the SDK surfaces them from the real service: the modelled exception class
 * the SDK maps each error code to (InvalidParameterValue, MissingParameter, ...), or a plain
 * {@link CloudWatchException} for the codes it does not model (Throttling, ValidationError), each
 * with the HTTP status and AWS's error code. Request ids count up, so runs stay reproducible.
 */
final class CloudWatchErrors {

    private static long requests;

    private CloudWatchErrors() {
    }

    static CloudWatchException invalidParameter(String message) {
        return build(InvalidParameterValueException.builder(), 400, "InvalidParameterValue", message);
    }

    static CloudWatchException missingParameter(String name) {
        return build(MissingRequiredParameterException.builder(), 400, "MissingParameter",
                "The parameter " + name + " is required.");
    }

    static CloudWatchException combination(String message) {
        return build(InvalidParameterCombinationException.builder(), 400, "InvalidParameterCombination", message);
    }

    static CloudWatchException notFound(String message) {
        return build(ResourceNotFoundException.builder(), 404, "ResourceNotFound", message);
    }

    static CloudWatchException invalidNextToken() {
        return build(InvalidNextTokenException.builder(), 400, "InvalidNextToken", "The service returned an invalid token.");
    }

    static CloudWatchException invalidFormat(String message) {
        return build(InvalidFormatException.builder(), 400, "InvalidFormat", message);
    }

    /** A constraint of the API model broken (a length, a range, an enum): CloudWatch's ValidationError. */
    static CloudWatchException validation(String value, String member, String constraint) {
        return build(CloudWatchException.builder(), 400, "ValidationError", "1 validation error detected: Value '"
                + value + "' at '" + member + "' failed to satisfy constraint: " + constraint);
    }

    static CloudWatchException throttled() {
        return build(CloudWatchException.builder(), 400, "Throttling", "Rate exceeded");
    }

    private static synchronized String nextRequestId() {
        return String.format("00000000-0000-4000-8000-%012d", ++requests);
    }

    private static CloudWatchException build(AwsServiceException.Builder builder, int status, String code,
            String message) {
        // The SDK's getMessage() appends "(Service: CloudWatch, Status Code: ..., Request ID: ...)" itself.
        return (CloudWatchException) builder
                .statusCode(status)
                .requestId(nextRequestId())
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message)
                        .serviceName("CloudWatch").build())
                .message(message)
                .build();
    }
}
