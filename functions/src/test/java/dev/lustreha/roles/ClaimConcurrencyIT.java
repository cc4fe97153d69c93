package dev.lustreha.roles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lustreha.domain.FileSystemName;
import dev.lustreha.domain.Role;
import dev.lustreha.domain.RoleKey;
import dev.lustreha.errors.ClaimConflictException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 32 threads claim the same 4 roles over and over. The conditional claim must give exactly one
 * winner per role per epoch, epochs that only grow, and no lost update: the stored epoch equals the
 * number of successful claims and each winner's previous owner is the winner of the epoch before.
 */
class ClaimConcurrencyIT {

    private static final int THREADS = 32;
    private static final int ATTEMPTS_PER_THREAD = 20;
    private static final List<String> ROLES = List.of("oss01", "oss02", "oss03", "oss04");

    @RegisterExtension
    static final RoleStoreFixture fx = new RoleStoreFixture();

    private record Win(String roleId, long epoch, String owner, Optional<String> previousOwner, int thread) {
    }

    @RepeatedTest(20)
    void oneWinnerPerRolePerEpochAndNoLostUpdate(RepetitionInfo repetition) throws Exception {
        FileSystemName fs = RoleStoreFixture.freshFileSystem();
        for (String id : ROLES) {
            fx.createVacant(fs, id);
        }
        ConcurrentLinkedQueue<Win> wins = new ConcurrentLinkedQueue<>();
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                String instance = String.format("i-%017x", 0xa000L + thread);
                Random random = new Random(repetition.getCurrentRepetition() * 1000L + thread);
                done.add(pool.submit(() -> {
                    go.await();
                    long[] lastEpoch = new long[ROLES.size()];
                    for (int a = 0; a < ATTEMPTS_PER_THREAD; a++) {
                        int r = random.nextInt(ROLES.size());
                        RoleKey key = RoleKey.of(fs.value(), ROLES.get(r));
                        Role seen = fx.store.load(key).orElseThrow();
                        try {
                            Role won = fx.store.claim(seen, instance, "exec-" + thread + "-" + a);
                            assertEquals(seen.epoch() + 1, won.epoch());
                            assertTrue(won.epoch() > lastEpoch[r], "a thread sees a role's epoch only grow");
                            lastEpoch[r] = won.epoch();
                            wins.add(new Win(ROLES.get(r), won.epoch(), instance, won.previousOwner(), thread));
                        } catch (ClaimConflictException lost) {
                            assertTrue(lost.current().epoch() > seen.epoch(), "a claim loses only to a newer epoch");
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(THREADS * ATTEMPTS_PER_THREAD, wins.size() + conflicts.get(), "every attempt won or lost");
        assertTrue(conflicts.get() > 0, "the threads really contended (else this test proves nothing)");
        Map<String, List<Win>> byRole = wins.stream().collect(Collectors.groupingBy(Win::roleId));
        for (String id : ROLES) {
            List<Win> chain = new ArrayList<>(byRole.getOrDefault(id, List.of()));
            chain.sort(Comparator.comparingLong(Win::epoch));
            for (int i = 0; i < chain.size(); i++) {
                assertEquals(i + 1, chain.get(i).epoch(), id + ": exactly one winner for each epoch, no gap");
                Optional<String> expectedPrevious = i == 0 ? Optional.empty() : Optional.of(chain.get(i - 1).owner());
                assertEquals(expectedPrevious, chain.get(i).previousOwner(),
                        id + " epoch " + (i + 1) + ": the winner replaced the previous winner, not an older one");
            }
            Role stored = fx.store.load(RoleKey.of(fs.value(), id)).orElseThrow();
            assertEquals(chain.size(), stored.epoch(), id + ": the stored epoch counts every successful claim");
            assertEquals(chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(chain.size() - 1).owner()),
                    stored.owner(), id + ": the last winner owns the role");
        }
    }
}
