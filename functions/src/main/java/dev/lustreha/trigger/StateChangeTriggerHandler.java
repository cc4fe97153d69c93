package dev.lustreha.trigger;

import dev.lustreha.config.Production;

/**
 * EventBridge target for EC2 instance state-change events; fails orphaned roles over through the
 * reconciler, so a ready standby takes them at once.
 */
public final class StateChangeTriggerHandler extends TriggerHandler {

    public StateChangeTriggerHandler() {
        this(new StateChangeTrigger(Production.CONFIG, Production.store(), Production.reconciler()));
    }

    public StateChangeTriggerHandler(StateChangeTrigger trigger) {
        super(trigger::handle);
    }
}
