package dev.lustreha.local.ec2;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * EC2's API request throttling, as AWS documents it in "Request throttling for the Amazon EC2 API"
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html, the tables "Request
 * token bucket sizes and refill rates" and "Resource token bucket sizes and refill rates"; read from
 * a stored copy of that page in 2026):
 *
 * <ul>
 *   <li>Each API action has its own token bucket ("each API is evaluated individually"; "limits are
 *       applied to individual API actions, not API action categories"); its category gives its size
 *       and refill rate. A request takes one token; with none left it fails with
 *       {@code RequestLimitExceeded}, and other actions are not affected.
 *   <li>Non-mutating actions ({@code Describe*}): 100 tokens, 20 per second. A subset of them
 *       (DescribeInstances, DescribeInstanceStatus, DescribeNetworkInterfaces, DescribeVolumes, among
 *       those simulated) draws from a smaller bucket, 50 tokens and 10 per second, when requested
 *       with neither a filter nor pagination.
 *   <li>Mutating actions (here AttachVolume, DetachVolume, AttachNetworkInterface,
 *       DetachNetworkInterface, StopInstances): 50 tokens, 5 per second.
 *   <li>"Uncategorized" actions with buckets of their own: CreateTags and DeleteTags 100 and 10;
 *       CreateVolume, DeleteVolume, CreateNetworkInterface, DeleteNetworkInterface and
 *       TerminateInstances 100 and 5.
 *   <li>Resource rate limiting, on top: StopInstances and TerminateInstances also draw one token per
 *       instance named from a resource bucket of 1000 tokens refilled at 20 per second. A request
 *       goes through only when every bucket it draws from can pay for it.
 * </ul>
 *
 * <p>AWS adds each bucket's refill "every second"; here a bucket refills continuously at the same
 * rate, on the virtual clock: the same sustained rate, without making every client wake on the same
 * second boundary. Assumptions, since the page does not say: a throttled request takes no token from
 * any bucket, and a request EC2 refuses for another reason (a bad parameter, a wrong state) still
 * took its token. RunInstances, which the simulated Auto Scaling's launches stand for, is not metered:
 * whether Auto Scaling's own launches draw from the account's buckets is not documented there.
 */
public final class RequestLimits {

    /** One bucket's size and refill rate, in tokens and tokens per second. */
    public record Limit(double capacity, double refillPerSecond) {
    }

    static final Limit NON_MUTATING = new Limit(100, 20);
    static final Limit UNFILTERED_NON_MUTATING = new Limit(50, 10);
    static final Limit MUTATING = new Limit(50, 5);

    private static final Set<String> UNFILTERED_SUBSET = Set.of("DescribeInstances", "DescribeInstanceStatus",
            "DescribeNetworkInterfaces", "DescribeVolumes");
    private static final Map<String, Limit> UNCATEGORIZED = Map.of(
            "CreateTags", new Limit(100, 10),
            "DeleteTags", new Limit(100, 10),
            "CreateVolume", new Limit(100, 5),
            "DeleteVolume", new Limit(100, 5),
            "CreateNetworkInterface", new Limit(100, 5),
            "DeleteNetworkInterface", new Limit(100, 5),
            "TerminateInstances", new Limit(100, 5));
    private static final Map<String, Limit> RESOURCE = Map.of(
            "StopInstances", new Limit(1000, 20),
            "TerminateInstances", new Limit(1000, 20));

    /** What one request asks of the buckets. */
    public record Cost(String action, boolean unfilteredUnpaginated, int resources) {

        /** A request that names no resource count and is filtered or paginated (or is not a Describe). */
        public static Cost of(String action) {
            return new Cost(action, false, 0);
        }
    }

    /** What a bucket may lack and still pay one token: refills are sums of fractions of a second. */
    private static final double ROUNDING = 1e-9;

    private final Map<String, Bucket> buckets = new HashMap<>();
    private boolean suspended;

    /** True for the actions EC2 counts as changing something (every action that is not a Describe). */
    public static boolean isMutating(String action) {
        return !action.startsWith("Describe") && !action.startsWith("List") && !action.startsWith("Get")
                && !action.startsWith("Search");
    }

    /** The request bucket an action draws from. */
    public static Limit requestLimit(String action, boolean unfilteredUnpaginated) {
        if (unfilteredUnpaginated && UNFILTERED_SUBSET.contains(action)) {
            return UNFILTERED_NON_MUTATING;
        }
        Limit own = UNCATEGORIZED.get(action);
        if (own != null) {
            return own;
        }
        return isMutating(action) ? MUTATING : NON_MUTATING;
    }

    /**
     * Takes the tokens {@code cost} needs at {@code now}, or none at all.
     *
     * @return false when some bucket cannot pay: the request is throttled
     */
    boolean admit(Cost cost, Instant now) {
        if (suspended) {
            return true;
        }
        boolean smaller = cost.unfilteredUnpaginated() && UNFILTERED_SUBSET.contains(cost.action());
        Bucket request = bucket((smaller ? "unfiltered " : "") + cost.action(),
                requestLimit(cost.action(), cost.unfilteredUnpaginated()), now);
        Limit resourceLimit = RESOURCE.get(cost.action());
        Bucket resource = resourceLimit == null ? null : bucket("resources " + cost.action(), resourceLimit, now);
        if (request.tokens < 1 - ROUNDING || (resource != null && resource.tokens < cost.resources() - ROUNDING)) {
            return false;
        }
        request.tokens -= 1;
        if (resource != null) {
            resource.tokens -= cost.resources();
        }
        return true;
    }

    /** Tokens left in an action's request bucket at {@code now} (for tests and reports). */
    double tokens(String action, boolean unfilteredUnpaginated, Instant now) {
        boolean smaller = unfilteredUnpaginated && UNFILTERED_SUBSET.contains(action);
        return bucket((smaller ? "unfiltered " : "") + action, requestLimit(action, unfilteredUnpaginated), now).tokens;
    }

    /** While suspended, every request goes through and takes nothing. */
    void suspend(boolean on) {
        suspended = on;
    }

    private Bucket bucket(String key, Limit limit, Instant now) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(limit, now));
        b.refill(now);
        return b;
    }

    /** A token bucket that starts full. */
    private static final class Bucket {
        private final Limit limit;
        private double tokens;
        private Instant at;

        Bucket(Limit limit, Instant now) {
            this.limit = limit;
            this.tokens = limit.capacity();
            this.at = now;
        }

        void refill(Instant now) {
            if (now.isAfter(at)) {
                double seconds = Duration.between(at, now).toNanos() / 1e9;
                tokens = Math.min(limit.capacity(), tokens + seconds * limit.refillPerSecond());
                at = now;
            }
        }
    }
}
