package dev.lustreha.local.ec2;

import java.util.UUID;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * EC2 errors as the SDK surfaces them from the real service: an {@link Ec2Exception} with the AWS
 * error code, the service's message and the HTTP status; the SDK adds its message suffix.
 */
final class Ec2Errors {

    private Ec2Errors() {
    }

    static Ec2Exception error(String code, String message) {
        return error(400, code, message);
    }

    static Ec2Exception error(int status, String code, String message) {
        String requestId = UUID.randomUUID().toString();
        return (Ec2Exception) Ec2Exception.builder()
                .statusCode(status)
                .requestId(requestId)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .serviceName("Ec2")
                        .build())
                // The SDK's getMessage() appends "(Service: Ec2, Status Code: ..., Request ID: ...)" to
                // this message itself, as it does for a real response: the raw message is AWS's alone.
                .message(message)
                .build();
    }

    static Ec2Exception throttled() {
        return error(503, "RequestLimitExceeded", "Request limit exceeded.");
    }

    static Ec2Exception instanceNotFound(String id) {
        return error("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
    }

    static Ec2Exception volumeNotFound(String id) {
        return error("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
    }

    static Ec2Exception eniNotFound(String id) {
        return error("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '" + id + "' does not exist");
    }

    static Ec2Exception subnetNotFound(String id) {
        return error("InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist");
    }

    static Ec2Exception invalidParameter(String message) {
        return error("InvalidParameterValue", message);
    }

    static Ec2Exception missingParameter(String name) {
        return error("MissingParameter", "The request must contain the parameter " + name);
    }
}
