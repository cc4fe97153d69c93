package dev.lustreha.roles;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.local.Repository;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** DynamoDB Local with the template's tables and a store on it; each test takes a fresh file system name. */
final class RoleStoreFixture implements AutoCloseable {

    static final String AZ = "us-east-1a";
    private static final AtomicInteger FILE_SYSTEMS = new AtomicInteger();

    final DynamoDbLocal local;
    final DynamoDbClient client;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    final DynamoRoleStore store;

    RoleStoreFixture() {
        local = DynamoDbLocal.startWithTables(Repository.file("template.yaml"));
        client = local.newClient();
        store = new DynamoRoleStore(client, "RolesTable", "ResourcesTable", clock);
    }

    /** A file system name no other test of this JVM uses. */
    static FileSystemName freshFileSystem() {
        return new FileSystemName("fs" + FILE_SYSTEMS.incrementAndGet());
    }

    Role createVacant(FileSystemName fs, String roleId) {
        Role role = Role.vacant(new RoleKey(fs, dev.lustreha.domain.RoleId.parse(roleId)), AZ, clock.instant());
        if (!store.createIfAbsent(role)) {
            throw new IllegalStateException(role.key() + " already exists");
        }
        return role;
    }

    @Override
    public void close() {
        client.close();
        local.close();
    }

    /** A clock tests move by hand, so timestamps are predictable. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advanceSeconds(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("tests use UTC");
        }
    }
}
