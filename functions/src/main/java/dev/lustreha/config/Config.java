package dev.lustreha.config;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The deployment's settings, from the function's environment (template.yaml sets them).
 *
 * @param groups the Auto Scaling group of each role type: events from any other group are foreign
 */
public record Config(
        FileSystemName fileSystem,
        String rolesTable,
        String resourcesTable,
        String handoverStateMachineArn,
        String releaseStateMachineArn,
        Map<RoleType, String> groups,
        String launchHookName,
        String terminateHookName) {

    public Config {
        groups = Map.copyOf(groups);
    }

    /** Reads the settings; a missing one is a deployment error named in the message. */
    public static Config from(Function<String, String> env) {
        return new Config(
                new FileSystemName(required(env, "FILE_SYSTEM_NAME")),
                required(env, "ROLES_TABLE"),
                required(env, "RESOURCES_TABLE"),
                optional(env, "HANDOVER_STATE_MACHINE_ARN"),
                optional(env, "RELEASE_STATE_MACHINE_ARN"),
                parseGroups(optional(env, "ROLE_GROUPS")),
                optional(env, "LAUNCH_HOOK_NAME"),
                optional(env, "TERMINATE_HOOK_NAME"));
    }

    /** The role type whose group this is, if it is one of ours. */
    public Optional<RoleType> roleTypeOfGroup(String groupName) {
        return groups.entrySet().stream().filter(e -> e.getValue().equals(groupName)).map(Map.Entry::getKey).findFirst();
    }

    /** {@code MGS=fs-mgs;MDS=fs-mds;OSS=fs-oss}. */
    static Map<RoleType, String> parseGroups(String spec) {
        Map<RoleType, String> groups = new EnumMap<>(RoleType.class);
        if (spec == null || spec.isBlank()) {
            return groups;
        }
        for (String part : spec.split(";")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[1].isBlank()) {
                throw new IllegalStateException("ROLE_GROUPS entry '" + part + "' is not TYPE=group-name");
            }
            groups.put(RoleType.valueOf(kv[0].trim()), kv[1].trim());
        }
        return groups;
    }

    private static String required(Function<String, String> env, String name) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return v;
    }

    private static String optional(Function<String, String> env, String name) {
        String v = env.apply(name);
        return v == null || v.isBlank() ? null : v;
    }
}
