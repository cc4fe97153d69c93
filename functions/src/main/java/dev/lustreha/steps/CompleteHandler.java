package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Completes the lifecycle action with CONTINUE. */
public final class CompleteHandler extends StepHandler {

    public CompleteHandler() {
        this(Production.steps());
    }

    public CompleteHandler(HandoverSteps steps) {
        super(steps::complete);
    }
}
