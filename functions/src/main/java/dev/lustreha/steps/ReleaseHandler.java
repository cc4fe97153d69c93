package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Releases the roles of a terminating instance and completes its terminate hook. */
public final class ReleaseHandler extends StepHandler {

    public ReleaseHandler() {
        this(Production.steps());
    }

    public ReleaseHandler(HandoverSteps steps) {
        super(steps::release);
    }
}
