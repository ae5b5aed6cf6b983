package dev.governor.killswitch.propagation;

import dev.governor.killswitch.state.PauseState;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Re-publishes the current state every {@code interval}, so that guards renew their leases.
 * {@code current} must read the source of truth (the control plane's PostgreSQL row), never a
 * cached copy, so that a heartbeat can never revive a state that has since changed. A failed
 * heartbeat is logged and the next one is tried on schedule; guards fail closed if they stop.
 */
public final class ControlTopicHeartbeat implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlTopicHeartbeat.class.getName());

    private final ControlTopicPublisher publisher;
    private final Supplier<PauseState> current;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;

    public ControlTopicHeartbeat(ControlTopicPublisher publisher, Supplier<PauseState> current, Duration interval) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.current = Objects.requireNonNull(current, "current");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the heartbeat interval must be positive, got " + interval);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "governor-control-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    public ControlTopicHeartbeat start() {
        scheduler.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void beat() {
        try {
            publisher.publish(current.get());
        } catch (StaleStateException raced) {
            // The state changed between reading it and publishing; the change itself was published.
            LOG.log(System.Logger.Level.DEBUG, raced.getMessage());
        } catch (RuntimeException e) {
            // Keep the schedule alive: a thrown exception would cancel every later heartbeat.
            LOG.log(System.Logger.Level.WARNING, "kill-switch heartbeat on " + publisher.topic() + " failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
