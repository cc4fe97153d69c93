package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Detaches the role's ENI and volumes from fenced holders. */
public final class DetachHandler extends StepHandler {

    public DetachHandler() {
        this(Production.steps());
    }

    public DetachHandler(HandoverSteps steps) {
        super(steps::detach);
    }
}
