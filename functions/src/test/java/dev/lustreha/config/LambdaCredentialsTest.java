package dev.lustreha.config;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;

class LambdaCredentialsTest {

    @Test
    void aSnapStartFunctionGetsContainerCredentials() {
        Map<String, String> env = Map.of(LambdaCredentials.CONTAINER_CREDENTIALS_URI, "http://127.0.0.1:9001/2021-04-23/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", "token");
        assertInstanceOf(ContainerCredentialsProvider.class, LambdaCredentials.provider(env::get));
    }

    @Test
    void otherwiseTheKeyVariables() {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "secret");
        assertInstanceOf(EnvironmentVariableCredentialsProvider.class, LambdaCredentials.provider(env::get));
    }
}
