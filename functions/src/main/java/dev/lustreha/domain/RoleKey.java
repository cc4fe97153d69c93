package dev.lustreha.domain;

/** Names one role: its file system and its id. */
public record RoleKey(FileSystemName fileSystem, RoleId id) {

    public RoleKey {
        if (fileSystem == null || id == null) {
            throw new IllegalArgumentException("a role key needs a file system and a role id");
        }
    }

    public static RoleKey of(String fileSystem, String roleId) {
        return new RoleKey(new FileSystemName(fileSystem), RoleId.parse(roleId));
    }

    @Override
    public String toString() {
        return fileSystem + "/" + id;
    }
}
