package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Gives a failed claim back and completes the lifecycle action. */
public final class CompensateHandler extends StepHandler {

    public CompensateHandler() {
        this(Production.steps());
    }

    public CompensateHandler(HandoverSteps steps) {
        super(steps::compensate);
    }
}
