package dev.governor.killswitch.guard;

import dev.governor.killswitch.guard.GuardStatus.Verdict;
import dev.governor.killswitch.propagation.ControlListener;
import dev.governor.killswitch.propagation.ControlMessage;
import dev.governor.killswitch.propagation.ControlTopicFollower;
import dev.governor.killswitch.propagation.ControlTopicPublisher;
import dev.governor.killswitch.state.CachingStateVerifier;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.StateVerifier;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The agent-side kill switch. A loop calls {@link #check()} before every step; it throws
 * {@link LoopHaltedException} unless the last verified state is RUNNING and its lease is live.
 *
 * <p>The lease: each verified message (a change or a heartbeat) renews it until
 * {@code min(issuedAt, receivedAt) + lease}, both read as instants; so a message that was issued
 * long ago (the last value of a compacted topic whose publisher has died) renews nothing, and a
 * message dated in the future renews no longer than one received now. When the lease runs out,
 * the guard fails closed: it behaves as paused until a fresh message arrives. Governor must
 * therefore republish the current state more often than {@code lease} (see ControlTopicHeartbeat),
 * and the guard's clock must agree with Governor's within the slack between the two.
 */
public final class KillSwitchGuard implements ControlListener, AutoCloseable {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

    private final Duration lease;
    private final Clock clock;
    private final Object monitor = new Object();
    private volatile ControlTopicFollower follower;
    private volatile Lease held;

    /** A guard fed by whatever follower the caller attaches it to ({@code follower.addListener(guard)}). */
    public KillSwitchGuard(Duration lease, Clock clock) {
        Objects.requireNonNull(lease, "lease");
        if (lease.isZero() || lease.isNegative()) {
            throw new IllegalArgumentException("the lease must be positive, got " + lease);
        }
        this.lease = lease;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A guard following {@code rsi.control} on {@code bootstrapServers} with the default lease and the system clock. */
    public static KillSwitchGuard follow(String bootstrapServers, StateVerifier verifier) {
        return follow(bootstrapServers, Map.of(), verifier);
    }

    /**
     * As {@link #follow(String, StateVerifier)}, logging in with the loop's own Kafka client settings
     * ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*}).
     */
    public static KillSwitchGuard follow(String bootstrapServers, Map<String, ?> clientProperties, StateVerifier verifier) {
        return follow(bootstrapServers, clientProperties, ControlTopicPublisher.DEFAULT_TOPIC, verifier, DEFAULT_LEASE,
                Clock.systemUTC());
    }

    /** A guard with its own follower of {@code topic}; closing the guard closes the follower. */
    public static KillSwitchGuard follow(String bootstrapServers, String topic, StateVerifier verifier, Duration lease, Clock clock) {
        return follow(bootstrapServers, Map.of(), topic, verifier, lease, clock);
    }

    /** As {@link #follow(String, String, StateVerifier, Duration, Clock)}, logging in with {@code clientProperties}. */
    public static KillSwitchGuard follow(String bootstrapServers, Map<String, ?> clientProperties, String topic,
                                         StateVerifier verifier, Duration lease, Clock clock) {
        KillSwitchGuard guard = new KillSwitchGuard(lease, clock);
        // Heartbeats repeat the same signed state: remember its verified signature instead of checking it every time.
        StateVerifier remembering = verifier instanceof CachingStateVerifier ? verifier : new CachingStateVerifier(verifier, 16);
        ControlTopicFollower follower = ControlTopicFollower.create(bootstrapServers, clientProperties, topic, remembering, clock);
        follower.addListener(guard);
        guard.follower = follower;
        follower.start();
        return guard;
    }

    /** Returns when the loop may take its next step; throws otherwise. Cheap when running: a volatile read and a clock read. */
    public void check() {
        Lease current = held;
        if (current != null && current.message().state().isRunning() && clock.instant().isBefore(current.expiresAt())) {
            return;
        }
        GuardStatus status = status();
        if (!status.running()) {
            throw new LoopHaltedException(status);
        }
    }

    /**
     * Waits until the loop may run.
     *
     * @throws LoopHaltedException  with the current status when {@code timeout} passes first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (true) {
                GuardStatus status = status();
                if (status.running()) {
                    return;
                }
                long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0) {
                    throw new LoopHaltedException(status);
                }
                monitor.wait(Math.max(1, Duration.ofNanos(remainingNanos).toMillis()));
            }
        }
    }

    public GuardStatus status() {
        Lease current = held;
        if (current == null) {
            return new GuardStatus(Verdict.NO_STATE, null, null,
                    "lease expired / cannot reach Governor: no verified kill-switch state received yet");
        }
        ControlMessage message = current.message();
        Instant expiresAt = current.expiresAt();
        PauseState state = message.state();
        Instant now = clock.instant();
        if (!now.isBefore(expiresAt)) {
            return new GuardStatus(Verdict.LEASE_EXPIRED, state, expiresAt,
                    "lease expired / cannot reach Governor: the last verified message (epoch " + state.epoch() + ", "
                            + state.state() + ", issued " + message.issuedAt() + ") gave a lease until " + expiresAt
                            + " (lease " + lease + ")");
        }
        if (!state.isRunning()) {
            String cause = state.cause() == null ? "" : " (cause " + state.cause() + ")";
            String pending = state.pendingResume() == null ? ""
                    : "; resume requested by " + state.pendingResume().officer() + ", waiting for a second safety officer";
            return new GuardStatus(Verdict.HALTED, state, expiresAt,
                    state.state() + " at epoch " + state.epoch() + " by " + state.actor() + cause + ": " + state.reason() + pending);
        }
        return new GuardStatus(Verdict.RUNNING, state, expiresAt, "RUNNING at epoch " + state.epoch());
    }

    public Duration lease() {
        return lease;
    }

    /**
     * Takes a message that a follower has verified. The lease is measured on this guard's clock;
     * the follower's {@code receivedAt} is not used, so that one clock rules the lease.
     */
    @Override
    public void onVerified(ControlMessage message, Instant receivedAt) {
        Instant now = clock.instant();
        Instant issuedAt = message.issuedAt();
        Instant renewedFrom = issuedAt.isBefore(now) ? issuedAt : now;
        Instant expiresAt = renewedFrom.plus(lease);
        synchronized (monitor) {
            Lease previous = held;
            if (previous != null) {
                long heldEpoch = previous.message().state().epoch();
                if (message.state().epoch() < heldEpoch) {
                    return;
                }
                if (message.state().epoch() == heldEpoch && expiresAt.isBefore(previous.expiresAt())) {
                    return;
                }
            }
            held = new Lease(message, expiresAt);
            monitor.notifyAll();
        }
    }

    /** The last verified message and the end of the lease it gave, replaced together. */
    private record Lease(ControlMessage message, Instant expiresAt) {
    }

    @Override
    public void close() {
        ControlTopicFollower owned = follower;
        if (owned != null) {
            owned.close();
        }
    }
}
