package dev.lustreha.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lustreha.config.Config;
import dev.lustreha.config.Json;
import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.RoleType;
import dev.lustreha.local.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The events/ fixtures and the configuration they were written for. */
final class Fixtures {

    static final Config CONFIG = new Config(new FileSystemName("scratch"), "RolesTable", "ResourcesTable",
            "arn:aws:states:us-east-1:000000000000:stateMachine:handover",
            "arn:aws:states:us-east-1:000000000000:stateMachine:release",
            Map.of(RoleType.MGS, "scratch-mgs", RoleType.MDS, "scratch-mds", RoleType.OSS, "scratch-oss"),
            "lustre-ha-launch", "lustre-ha-terminate");

    private Fixtures() {
    }

    static Path path(String name) {
        return Repository.file("events/" + name);
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return Json.MAPPER.readTree(bytes(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
