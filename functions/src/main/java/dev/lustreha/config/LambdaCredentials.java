package dev.lustreha.config;

import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;

/**
 * The credentials provider of a Lambda function, chosen without searching the SDK's default
 * chain. Lambda hands a function its execution role's credentials as the {@code AWS_ACCESS_KEY_ID}
 * family of variables, except when SnapStart is on (template.yaml turns it on): then the Java
 * runtime gets container credentials instead ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}), and a client pinned to the environment variables
 * fails with "Unable to load credentials from system settings". The container provider fetches on
 * first use, after restore, and refreshes before expiry, so no credentials are built into the
 * snapshot.
 */
final class LambdaCredentials {

    static final String CONTAINER_CREDENTIALS_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

    private LambdaCredentials() {
    }

    static AwsCredentialsProvider provider(Function<String, String> env) {
        String uri = env.apply(CONTAINER_CREDENTIALS_URI);
        if (uri != null && !uri.isBlank()) {
            return ContainerCredentialsProvider.builder().build();
        }
        return EnvironmentVariableCredentialsProvider.create();
    }
}
