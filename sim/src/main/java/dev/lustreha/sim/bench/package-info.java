/**
 * Issue 9's benchmarks 3 and 4 on the local cloud, printed numbers rather than timed tests:
 * {@link dev.lustreha.sim.bench.Benchmarks} {@code <economy|scale|all> --out <file.md>}.
 *
 * <ul>
 *   <li>economy: one OSS role with 8 volumes, zero latency; per handover (owner terminated, or hung
 *       and fenced) the wall time on a warm JVM, state transitions, EC2 and Auto Scaling calls by
 *       operation, DescribeVolumes per poll, and whether the attaches and detaches went out in one
 *       poll; checked against the goals.
 *   <li>scale: 100 OSS roles with 8 volumes each lose their servers at once (terminated or hung,
 *       with and without standbys), AWS-like latencies in virtual time, EC2's request limits on; the
 *       time until every role serves against the physical limit computed from the latencies the run
 *       sampled, and against the same limit under EC2's request buckets; peak mutating calls per
 *       second, throttled calls, claim conflicts, failed handovers, invariant violations.
 * </ul>
 *
 * <p>Both run the deterministic local cloud (the in-JVM state machine engine on one thread), so a
 * seed gives the same virtual-time numbers on any machine; wall times depend on the machine.
 */
package dev.lustreha.sim.bench;
