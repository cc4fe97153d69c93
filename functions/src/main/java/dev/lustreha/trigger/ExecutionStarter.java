package dev.lustreha.trigger;

/** Starts a Step Functions execution by name; the same name twice starts it once. */
public interface ExecutionStarter {

    enum Started {
        /** A new execution (or, for the same name and input while it runs, the same one again). */
        STARTED,
        /** An execution with this name exists already (closed, or with other input): nothing started. */
        ALREADY_EXISTS
    }

    Started start(String stateMachineArn, String name, String input);
}
