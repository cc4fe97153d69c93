package dev.lustreha.trigger;

import dev.lustreha.config.Production;
import dev.lustreha.steps.HandoverState;

/** EventBridge target for Auto Scaling lifecycle-action events. */
public final class LifecycleTriggerHandler extends TriggerHandler {

    public LifecycleTriggerHandler() {
        this(new LifecycleTrigger(Production.CONFIG, Production.starter(), HandoverState.Poll.defaults()));
    }

    public LifecycleTriggerHandler(LifecycleTrigger trigger) {
        super(trigger::handle);
    }
}
