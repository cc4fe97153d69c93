package dev.lustreha.local.sfn;

import dev.lustreha.local.LocalAccount;

/**
 * A state machine to run locally.
 *
 * @param name the state machine's name; its logical id when it comes from the template
 * @param json its Amazon States Language definition, substitutions already made
 */
public record StateMachineDefinition(String name, String json) {

    public StateMachineDefinition {
        if (name == null || name.isBlank() || json == null || json.isBlank()) {
            throw new IllegalArgumentException("a state machine needs a name and a definition");
        }
    }

    public String arn() {
        return "arn:aws:states:" + LocalAccount.REGION + ":" + LocalAccount.ACCOUNT_ID + ":stateMachine:" + name;
    }

    public String executionArn(String executionName) {
        return "arn:aws:states:" + LocalAccount.REGION + ":" + LocalAccount.ACCOUNT_ID + ":execution:" + name + ":"
                + executionName;
    }
}
