package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Attaches the role's ENI and volumes to the new owner. */
public final class AttachHandler extends StepHandler {

    public AttachHandler() {
        this(Production.steps());
    }

    public AttachHandler(HandoverSteps steps) {
        super(steps::attach);
    }
}
