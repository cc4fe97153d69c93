package dev.lustreha.errors;

/** EC2 or Auto Scaling rejected a call for a reason a retry will not fix; the message names the AWS error code. */
public final class AwsApiException extends LustreHaException {

    private final String errorCode;

    public AwsApiException(String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public String errorCode() {
        return errorCode;
    }
}
