package dev.lustreha.roles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.NetworkIdentity;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.domain.RoleResources;
import dev.lustreha.domain.RoleState;
import dev.lustreha.domain.RoleType;
import dev.lustreha.domain.Volume;
import dev.lustreha.errors.ClaimConflictException;
import dev.lustreha.errors.ResourcesConflictException;
import dev.lustreha.errors.RoleNotFoundException;
import dev.lustreha.errors.RoleStateConflictException;
import dev.lustreha.errors.StaleEpochException;
import dev.lustreha.errors.StoreException;
import dev.lustreha.errors.StoreUnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Every conditional path of the role store, against DynamoDB Local. */
class DynamoRoleStoreIT {

    @RegisterExtension
    static final RoleStoreFixture fx = new RoleStoreFixture();
    private FileSystemName fs;

    @BeforeEach
    void freshFileSystem() {
        fs = RoleStoreFixture.freshFileSystem();
    }

    private RoleStore store() {
        return fx.store;
    }

    private Role load(Role role) {
        return store().load(role.key()).orElseThrow();
    }

    @Test
    void createIfAbsentCreatesOnceAndNeverOverwrites() {
        Role created = fx.createVacant(fs, "oss01");
        assertEquals(Optional.of(created), store().load(created.key()));

        fx.clock.advanceSeconds(5);
        Role other = Role.vacant(created.key(), "us-east-1b", fx.clock.instant());
        assertFalse(store().createIfAbsent(other));
        assertEquals(created, load(created));
    }

    @Test
    void loadOfAnUnknownRoleIsEmpty() {
        assertEquals(Optional.empty(), store().load(RoleKey.of(fs.value(), "oss07")));
    }

    @Test
    void listsByFileSystemAndTypeInRoleOrder() {
        for (String id : List.of("oss10", "oss02", "mds01", "oss01", "mgs", "mds02")) {
            fx.createVacant(fs, id);
        }
        fx.createVacant(RoleStoreFixture.freshFileSystem(), "oss03"); // another file system: never listed

        assertEquals(List.of("oss01", "oss02", "oss10"), ids(store().list(fs, RoleType.OSS)));
        assertEquals(List.of("mds01", "mds02"), ids(store().list(fs, RoleType.MDS)));
        assertEquals(List.of("mgs"), ids(store().list(fs, RoleType.MGS)));
        assertEquals(List.of("mgs", "mds01", "mds02", "oss01", "oss02", "oss10"), ids(store().list(fs)));
    }

    @Test
    void firstClaimTakesAVacantRoleAtEpochOne() {
        Role vacant = fx.createVacant(fs, "oss01");
        fx.clock.advanceSeconds(10);

        Role claimed = store().claim(vacant, "i-0000000000000000a", "exec-1");

        assertEquals(Optional.of("i-0000000000000000a"), claimed.owner());
        assertEquals(Optional.empty(), claimed.previousOwner());
        assertEquals(1, claimed.epoch());
        assertEquals(RoleState.CLAIMED, claimed.state());
        assertTrue(claimed.needsFormat(), "a never-formatted role is formatted by its first claimant");
        assertEquals(Optional.of("exec-1"), claimed.lastExecution());
        assertEquals(Optional.of(fx.clock.instant()), claimed.claimedAt());
        assertEquals(vacant.createdAt(), claimed.createdAt());
        assertEquals(claimed, load(claimed));
    }

    @Test
    void aStaleClaimFailsWithTheCurrentRecordAndChangesNothing() {
        Role vacant = fx.createVacant(fs, "oss01");
        Role first = store().claim(vacant, "i-0000000000000000a", "exec-1");
        fx.clock.advanceSeconds(30);

        // A second claimant that read the role before the first claim still holds epoch 0.
        ClaimConflictException conflict = assertThrows(ClaimConflictException.class,
                () -> store().claim(vacant, "i-0000000000000000b", "exec-2"));

        assertEquals(first, conflict.current(), "the exception carries the role as stored (ALL_OLD)");
        assertEquals(first, load(first), "a lost claim changes nothing");
    }

    @Test
    void aClaimOfAnUnknownRoleIsNotFound() {
        Role ghost = Role.vacant(RoleKey.of(fs.value(), "oss09"), RoleStoreFixture.AZ, fx.clock.instant());
        assertThrows(RoleNotFoundException.class, () -> store().claim(ghost, "i-0000000000000000a", "exec-1"));
        assertEquals(Optional.empty(), store().load(ghost.key()), "no item appears");
    }

    @Test
    void aLaterClaimRecordsThePreviousOwnerForFencing() {
        Role first = store().claim(fx.createVacant(fs, "mds01"), "i-0000000000000000a", "exec-1");
        Role serving = store().transition(first.key(), "i-0000000000000000a", 1, RoleState.SERVING);
        Role orphaned = store().markOrphaned(serving.key(), "i-0000000000000000a", 1);

        Role second = store().claim(orphaned, "i-0000000000000000b", "exec-2");

        assertEquals(2, second.epoch());
        assertEquals(Optional.of("i-0000000000000000b"), second.owner());
        assertEquals(Optional.of("i-0000000000000000a"), second.previousOwner());
        assertEquals(RoleState.CLAIMED, second.state());
    }

    @Test
    void transitionNeedsOwnerAndEpoch() {
        Role claimed = store().claim(fx.createVacant(fs, "oss01"), "i-0000000000000000a", "exec-1");
        Role newer = store().claim(claimed, "i-0000000000000000b", "exec-2");

        StaleEpochException stale = assertThrows(StaleEpochException.class,
                () -> store().transition(claimed.key(), "i-0000000000000000a", 1, RoleState.SERVING));
        assertEquals(newer, stale.current());
        assertThrows(StaleEpochException.class,
                () -> store().transition(claimed.key(), "i-0000000000000000a", 2, RoleState.SERVING),
                "right epoch, wrong owner");
        assertThrows(StaleEpochException.class,
                () -> store().transition(claimed.key(), "i-0000000000000000b", 1, RoleState.SERVING),
                "right owner, wrong epoch");
        assertEquals(newer, load(newer), "stale writers change nothing");

        fx.clock.advanceSeconds(3);
        Role serving = store().transition(claimed.key(), "i-0000000000000000b", 2, RoleState.SERVING);
        assertEquals(RoleState.SERVING, serving.state());
        assertEquals(2, serving.epoch());
        assertEquals(fx.clock.instant(), serving.updatedAt());
        assertEquals(serving, store().transition(claimed.key(), "i-0000000000000000b", 2, RoleState.SERVING),
                "repeating a transition is harmless (a retried step)");
    }

    @Test
    void transitionOfAVacantRoleIsStale() {
        Role vacant = fx.createVacant(fs, "oss01");
        assertThrows(StaleEpochException.class,
                () -> store().transition(vacant.key(), "i-0000000000000000a", 0, RoleState.SERVING));
        assertEquals(vacant, load(vacant));
    }

    @Test
    void transitionRespectsTheStateMachine() {
        Role claimed = store().claim(fx.createVacant(fs, "oss01"), "i-0000000000000000a", "exec-1");
        Role released = store().release(claimed.key(), "i-0000000000000000a", 1, "attach failed");

        RoleStateConflictException conflict = assertThrows(RoleStateConflictException.class,
                () -> store().transition(claimed.key(), "i-0000000000000000a", 1, RoleState.SERVING));
        assertEquals(released, conflict.current());
        assertEquals(released, load(released));
    }

    @Test
    void transitionOfAnUnknownRoleIsNotFound() {
        assertThrows(RoleNotFoundException.class,
                () -> store().transition(RoleKey.of(fs.value(), "oss05"), "i-0000000000000000a", 1, RoleState.SERVING));
    }

    @Test
    void releaseKeepsTheOwnerToBeFencedAndTheEpoch() {
        Role claimed = store().claim(fx.createVacant(fs, "oss01"), "i-0000000000000000a", "exec-1");

        Role released = store().release(claimed.key(), "i-0000000000000000a", 1, "attach failed: VolumeInUse");

        assertEquals(RoleState.RELEASED, released.state());
        assertEquals(Optional.of("i-0000000000000000a"), released.owner());
        assertEquals(1, released.epoch());
        assertEquals(Optional.of("attach failed: VolumeInUse"), released.reason());
        assertTrue(released.needsFormat());

        Role next = store().claim(released, "i-0000000000000000b", "exec-2");
        assertEquals(Optional.empty(), next.reason(), "a new claim clears the old failure");
        assertEquals(Optional.of("i-0000000000000000a"), next.previousOwner());
        assertTrue(next.needsFormat(), "nothing was formatted yet, so the next claimant formats");
    }

    @Test
    void releaseWithAStaleEpochChangesNothing() {
        Role claimed = store().claim(fx.createVacant(fs, "oss01"), "i-0000000000000000a", "exec-1");
        Role newer = store().claim(claimed, "i-0000000000000000b", "exec-2");

        assertThrows(StaleEpochException.class,
                () -> store().release(claimed.key(), "i-0000000000000000a", 1, "late compensation"));
        assertEquals(newer, load(newer));
    }

    @Test
    void markOrphanedIsConditionalOnOwnerAndEpoch() {
        Role claimed = store().claim(fx.createVacant(fs, "oss01"), "i-0000000000000000a", "exec-1");
        store().transition(claimed.key(), "i-0000000000000000a", 1, RoleState.SERVING);

        Role orphaned = store().markOrphaned(claimed.key(), "i-0000000000000000a", 1);
        assertEquals(RoleState.ORPHANED, orphaned.state());
        assertEquals(Optional.of("i-0000000000000000a"), orphaned.owner());
        assertEquals(orphaned, store().markOrphaned(claimed.key(), "i-0000000000000000a", 1), "duplicate event");

        Role newer = store().claim(orphaned, "i-0000000000000000b", "exec-2");
        // The old owner's state-change event arrives late: it must not orphan the new owner's claim.
        assertThrows(StaleEpochException.class, () -> store().markOrphaned(claimed.key(), "i-0000000000000000a", 1));
        assertEquals(newer, load(newer));
    }

    @Test
    void markFormattedClearsNeedsFormatForLaterClaims() {
        Role claimed = store().claim(fx.createVacant(fs, "oss01"), "i-0000000000000000a", "exec-1");
        store().transition(claimed.key(), "i-0000000000000000a", 1, RoleState.SERVING);

        Role formatted = store().markFormatted(claimed.key(), "i-0000000000000000a", 1);
        assertFalse(formatted.needsFormat());

        Role orphaned = store().markOrphaned(claimed.key(), "i-0000000000000000a", 1);
        assertThrows(RoleStateConflictException.class,
                () -> store().markFormatted(claimed.key(), "i-0000000000000000a", 1),
                "only an owner holding its volumes formats");
        Role next = store().claim(orphaned, "i-0000000000000000b", "exec-2");
        assertFalse(next.needsFormat(), "a later claim never formats again");
        assertThrows(StaleEpochException.class, () -> store().markFormatted(claimed.key(), "i-0000000000000000a", 1));
    }

    @Test
    void resourcesRegisterIdempotentlyAndNeverChangeSilently() {
        RoleResources oss01 = resources("oss01", "eni-0123456789abcdef0", "10.0.1.11",
                new Volume("vol-0123456789abcdef0", "/dev/sdf", fs + "-OST0000"),
                new Volume("vol-0123456789abcdef1", "/dev/sdg", fs + "-OST0001"));
        RoleResources mgs = resources("mgs", "eni-0123456789abcdef9", "10.0.1.10",
                new Volume("vol-0123456789abcdef9", "/dev/sdf", "MGS"));

        store().registerResources(oss01);
        store().registerResources(mgs);
        store().registerResources(oss01); // a provisioner retry

        assertEquals(Optional.of(oss01), store().resources(oss01.role()));
        assertEquals(List.of(mgs, oss01), store().resources(fs));

        RoleResources different = resources("oss01", "eni-0123456789abcdef0", "10.0.1.11",
                new Volume("vol-0123456789abcdef0", "/dev/sdf", fs + "-OST0000"));
        assertThrows(ResourcesConflictException.class, () -> store().registerResources(different));
        assertEquals(Optional.of(oss01), store().resources(oss01.role()));
        assertEquals(Optional.empty(), store().resources(RoleKey.of(fs.value(), "oss02")));
    }

    @Test
    void aMissingTableIsAStoreErrorNotAnSdkException() {
        RoleStore broken = new DynamoRoleStore(fx.client, "NoSuchTable", "NoSuchTable", fx.clock);
        StoreException e = assertThrows(StoreException.class, () -> broken.load(RoleKey.of(fs.value(), "mgs")));
        assertTrue(e.getMessage().contains("load " + fs + "/mgs"), e.getMessage());
    }

    @Test
    void anUnreachableStoreIsRetryable() {
        // A port nothing listens on: the connection is refused at once.
        try (DynamoDbClient unreachable = DynamoDbClient.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:9"))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(RetryMode.STANDARD).build())
                .build()) {
            RoleStore store = new DynamoRoleStore(unreachable, "RolesTable", "ResourcesTable", fx.clock);
            assertThrows(StoreUnavailableException.class, () -> store.list(fs));
        }
    }

    @Test
    void aMalformedItemIsAStoreError() {
        fx.client.putItem(r -> r.tableName("RolesTable").item(Map.of(
                "fileSystem", AttributeValue.fromS(fs.value()),
                "roleId", AttributeValue.fromS("oss01"),
                "state", AttributeValue.fromS("SERVING"))));
        StoreException e = assertThrows(StoreException.class, () -> store().load(RoleKey.of(fs.value(), "oss01")));
        assertTrue(e.getMessage().contains("malformed item"), e.getMessage());
    }

    @Test
    void timestampsComeFromTheInjectedClock() {
        Instant before = fx.clock.instant();
        Role vacant = fx.createVacant(fs, "oss01");
        assertEquals(before, vacant.createdAt());
        fx.clock.advanceSeconds(42);
        Role claimed = store().claim(vacant, "i-0000000000000000a", "exec-1");
        assertEquals(before.plusSeconds(42), claimed.updatedAt());
        assertEquals(before, claimed.createdAt());
    }

    private RoleResources resources(String roleId, String eni, String ip, Volume... volumes) {
        return new RoleResources(RoleKey.of(fs.value(), roleId), RoleStoreFixture.AZ, new NetworkIdentity(eni, ip),
                List.of(volumes));
    }

    private static List<String> ids(List<Role> roles) {
        return roles.stream().map(r -> r.id().value()).toList();
    }
}
