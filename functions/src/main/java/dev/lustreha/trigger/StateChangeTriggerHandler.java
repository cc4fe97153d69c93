package dev.lustreha.trigger;

import dev.lustreha.config.Production;

/** EventBridge target for EC2 instance state-change events. */
public final class StateChangeTriggerHandler extends TriggerHandler {

    public StateChangeTriggerHandler() {
        this(new StateChangeTrigger(Production.CONFIG, Production.STORE, Production.AWS));
    }

    public StateChangeTriggerHandler(StateChangeTrigger trigger) {
        super(trigger::handle);
    }
}
