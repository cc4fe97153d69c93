package dev.lustreha.sim;

import dev.lustreha.local.sfn.VirtualStepFunctions;
import dev.lustreha.roles.RoleStore;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A deliberately broken lustre-ha, for the mutation checks: the simulation must find a violation in
 * every one of them, or its checks prove nothing. Each hook changes one part of the system the
 * local cloud assembles; the default changes nothing.
 */
public interface Mutation {

    Mutation NONE = new Mutation() {
    };

    /** The handover state machine's definition (ASL JSON, substitutions made) as the mutant has it. */
    default String handoverDefinition(String json) {
        return json;
    }

    /** The EC2 client the handover's steps call. */
    default Ec2Client ec2(Ec2Client ec2) {
        return ec2;
    }

    /** The role store the handover's steps use. */
    default RoleStore store(RoleStore store) {
        return store;
    }

    /** Something around every Task invocation (deterministic runs only). */
    default Optional<VirtualStepFunctions.TaskInterceptor> interceptor(RoleStore store) {
        return Optional.empty();
    }
}
