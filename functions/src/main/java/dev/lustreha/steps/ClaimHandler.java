package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Claims a role for the launching instance, or makes it a standby. */
public final class ClaimHandler extends StepHandler {

    public ClaimHandler() {
        this(Production.steps());
    }

    public ClaimHandler(HandoverSteps steps) {
        super(steps::claim);
    }
}
