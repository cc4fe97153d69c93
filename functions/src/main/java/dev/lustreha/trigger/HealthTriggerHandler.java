package dev.lustreha.trigger;

import dev.lustreha.config.Production;

/**
 * EventBridge target for this file system's health alarms ({@code CloudWatch Alarm State Change});
 * fails an unhealthy role over through the reconciler, as the state-change trigger does.
 */
public final class HealthTriggerHandler extends TriggerHandler {

    public HealthTriggerHandler() {
        this(Production.healthTrigger());
    }

    public HealthTriggerHandler(HealthTrigger trigger) {
        super(trigger::handle);
    }
}
