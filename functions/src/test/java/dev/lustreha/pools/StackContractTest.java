package dev.lustreha.pools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.local.Repository;
import dev.lustreha.local.template.CloudFormationYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the stack and the rest of the repository must agree on. */
class StackContractTest {

    private final JsonNode resources = CloudFormationYaml.read(Repository.file("template.yaml")).path("Resources");

    @Test
    void theServersRunInstanceUserDataVerbatim() throws IOException {
        JsonNode userData = resources.path("ServerLaunchTemplate").path("Properties").path("LaunchTemplateData")
                .path("UserData").path("Fn::Base64").path("Fn::Sub");
        assertEquals(Files.readString(Repository.file("instance/user-data.sh")), userData.asText());
    }

    @Test
    void everyGroupHasLustreHasHooksNamedAsTheTriggersExpect() {
        for (String group : List.of("MgsGroup", "MdsGroup", "OssGroup")) {
            JsonNode hooks = resources.path(group).path("Properties").path("LifecycleHookSpecificationList");
            assertEquals(2, hooks.size(), group);
            assertEquals("lustre-ha-launch", hooks.get(0).path("LifecycleHookName").asText());
            assertEquals("autoscaling:EC2_INSTANCE_LAUNCHING", hooks.get(0).path("LifecycleTransition").asText());
            assertEquals("lustre-ha-terminate", hooks.get(1).path("LifecycleHookName").asText());
            assertEquals("autoscaling:EC2_INSTANCE_TERMINATING", hooks.get(1).path("LifecycleTransition").asText());
            for (JsonNode hook : hooks) {
                assertEquals("CONTINUE", hook.path("DefaultResult").asText(), group + ": never an ABANDON loop");
            }
            JsonNode tags = resources.path(group).path("Properties").path("Tags");
            assertTrue(tags.findValues("Key").stream().anyMatch(k -> k.asText().equals("lustre-ha:file-system")),
                    group + " propagates the file-system tag every IAM condition relies on");
        }
        JsonNode env = CloudFormationYaml.read(Repository.file("template.yaml")).path("Globals").path("Function")
                .path("Environment").path("Variables");
        assertEquals("lustre-ha-launch", env.path("LAUNCH_HOOK_NAME").asText());
        assertEquals("lustre-ha-terminate", env.path("TERMINATE_HOOK_NAME").asText());
    }
}
