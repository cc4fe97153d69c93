package dev.lustreha.steps;

import dev.lustreha.config.Production;

/** Records the role as SERVING and tags instance, ENI and volumes with role and epoch. */
public final class RecordHandler extends StepHandler {

    public RecordHandler() {
        this(Production.steps());
    }

    public RecordHandler(HandoverSteps steps) {
        super(steps::record);
    }
}
