package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.errors.StoreException;
import dev.lustreha.errors.StoreUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** {@code status}'s command line and its one-line messages for what goes wrong reading an account. */
class StatusCommandTest {

    private static void invalid(String message, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.code(), r.printed());
        assertTrue(r.err().startsWith("error: " + message + "\n"), r.printed());
        assertEquals("", r.out(), r.printed());
    }

    @Test
    void optionsThatDoNotFitAreRefusedBeforeAnythingRuns() {
        invalid("status needs --roles-table and --resources-table (the stack's RolesTableName and ResourcesTableName "
                + "outputs), or --local", "status");
        invalid("status needs --roles-table and --resources-table (the stack's RolesTableName and ResourcesTableName "
                + "outputs), or --local", "status", "--roles-table", "R", "--history-table", "H");
        invalid("status --local reads the local cloud's tables: no --roles-table, --resources-table, --history-table "
                + "or --region", "status", "--local", "--region", "eu-west-1");
        invalid("--fault, --speed and --seed are options of status --local", "status", "--roles-table", "R",
                "--resources-table", "S", "--fault", "terminate:oss02");
        invalid("--fault takes <terminate|stop|hang>:<role>, a role of mgs, mds01, oss01, oss02, oss03, oss04, e.g. "
                + "terminate:oss02, not 'meteor:oss02'", "status", "--local", "--fault", "meteor:oss02");
        invalid("--fault takes <terminate|stop|hang>:<role>, a role of mgs, mds01, oss01, oss02, oss03, oss04, e.g. "
                + "terminate:oss02, not 'terminate:oss05'", "status", "--local", "--fault", "terminate:oss05");
        invalid("--fault takes <terminate|stop|hang>:<role>, a role of mgs, mds01, oss01, oss02, oss03, oss04, e.g. "
                + "terminate:oss02, not 'stuck-detach:oss01'", "status", "--local", "--fault", "stuck-detach:oss01");
        invalid("--file-system: not a Lustre fsname: 'scratch-1' (1-8 characters: a letter, then letters, digits or "
                + "'_')", "status", "--file-system", "scratch-1", "--roles-table", "R", "--resources-table", "S");
        invalid("--roles-table needs a value", "status", "--roles-table");
        invalid("--local, --fault, --roles-table, --resources-table, --history-table and --region are options of "
                + "status", "demo", "--region", "us-east-1");
        invalid("--file-system is an option of replay and status", "simulate", "x.json", "--file-system", "prod");
        invalid("--json, --watch, --interval and --renders are options of status", "demo", "--json");
        invalid("--interval and --renders are options of status --watch", "status", "--roles-table", "R",
                "--resources-table", "S", "--interval", "2");
        invalid("--write is an option of dashboard", "status", "--local", "--write");
    }

    @Test
    void noCredentialsIsOneLineAndExitOne() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // As the default chain fails when nothing provides credentials; the client resolves them
        // before it connects, so the (closed) endpoint is never reached.
        int code = StatusCommand.fromAccount(new FileSystemName("scratch"),
                new StatusCommand.Tables("R", "S", "H"), "eu-west-1", () -> {
                    throw SdkClientException.create("Unable to load credentials from any of the providers in the chain "
                            + "AwsCredentialsProviderChain(credentialsProviders=[...]) : [...]");
                }, URI.create("http://127.0.0.1:1"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("error: no AWS credentials: the default chain found none (AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws, SSO, a container or instance role); configure some, "
                + "e.g. with `aws configure` or `aws sso login`\n", err.toString(StandardCharsets.UTF_8));
    }

    private static DynamoDbException aws(String code, String message) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(400).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    @Test
    void eachFailureSaysWhatToDoInOneLine() {
        assertEquals("access denied reading table R: User: arn:aws:iam::123456789012:user/ops is not authorized "
                + "to perform: dynamodb:Query on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/R",
                StatusCommand.describe(new StoreException("list R of scratch", aws("AccessDeniedException",
                        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: dynamodb:Query\n"
                                + "on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/R")), "R", "eu-west-1"));
        assertEquals("AWS refused the credentials (ExpiredTokenException): The security token included in the "
                + "request is expired", StatusCommand.describe(new StoreException("list R of scratch",
                        aws("ExpiredTokenException", "The security token included in the request is expired")), "R",
                        "eu-west-1"));
        assertEquals("table R not found in eu-west-1: give the stack's RolesTableName, ResourcesTableName and "
                + "HistoryTableName outputs (and --region)", StatusCommand.describe(new StoreException("list",
                        aws("ResourceNotFoundException", "Requested resource not found")), "R", "eu-west-1"));
        assertEquals("cannot reach DynamoDB in eu-west-1 to read table R: Unable to execute HTTP request: "
                + "dynamodb.eu-west-1.amazonaws.com", StatusCommand.describe(new StoreUnavailableException("list",
                        SdkClientException.create("Unable to execute HTTP request: dynamodb.eu-west-1.amazonaws.com")),
                        "R", "eu-west-1"));
    }
}
