package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Fences the previous owner and any holder of the role's resources. */
public final class FenceHandler extends StepHandler {

    public FenceHandler() {
        this(Production.steps());
    }

    public FenceHandler(HandoverSteps steps) {
        super(steps::fence);
    }
}
