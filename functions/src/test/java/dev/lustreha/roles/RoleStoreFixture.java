package dev.lustreha.roles;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleId;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.local.Repository;
import dev.lustreha.local.dynamodb.DynamoDbLocal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local with the template's tables and a store on it, for one test class
 * ({@code @RegisterExtension static}); each test takes a fresh file system name.
 */
final class RoleStoreFixture implements BeforeAllCallback, AfterAllCallback {

    static final String AZ = "us-east-1a";
    private static final AtomicInteger FILE_SYSTEMS = new AtomicInteger();

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    DynamoDbLocal local;
    DynamoDbClient client;
    DynamoRoleStore store;

    @Override
    public void beforeAll(ExtensionContext context) {
        local = DynamoDbLocal.startWithTables(Repository.file("template.yaml"));
        client = local.newClient();
        store = new DynamoRoleStore(client, "RolesTable", "ResourcesTable", clock);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        client.close();
        local.close();
    }

    /** A file system name no other test of this JVM uses. */
    static FileSystemName freshFileSystem() {
        return new FileSystemName("fs" + FILE_SYSTEMS.incrementAndGet());
    }

    Role createVacant(FileSystemName fs, String roleId) {
        Role role = Role.vacant(new RoleKey(fs, RoleId.parse(roleId)), AZ, clock.instant());
        if (!store.createIfAbsent(role)) {
            throw new IllegalStateException(role.key() + " already exists");
        }
        return role;
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
