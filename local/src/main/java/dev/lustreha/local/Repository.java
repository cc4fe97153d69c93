package dev.lustreha.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of this repository (template.yaml, events/, statemachines/) from wherever a test or tool runs. */
public final class Repository {

    private Repository() {
    }

    /** The repository root: the nearest directory at or above the working directory holding template.yaml. */
    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("template.yaml")) && Files.isDirectory(d.resolve("functions"))) {
                return d;
            }
        }
        throw new IllegalStateException("no lustre-ha checkout (template.yaml beside functions/) at or above " + dir);
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }
}
