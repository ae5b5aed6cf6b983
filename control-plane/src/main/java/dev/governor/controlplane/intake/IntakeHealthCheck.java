package dev.governor.controlplane.intake;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Ready while the intake thread is alive and its batches go through. A batch that keeps failing
 * (database or policy engine unreachable) stalls its partition, so it turns the check DOWN after a
 * minute with the last error, for the operator to see rather than a silent backlog.
 */
@Readiness
@ApplicationScoped
public class IntakeHealthCheck implements HealthCheck {

    static final Duration STALLED_AFTER = Duration.ofMinutes(1);
    private final IntakeConsumer consumer;

    public IntakeHealthCheck(IntakeConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        IntakeConsumer.State s = consumer.state();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("intake").withData("enabled", s.enabled());
        if (!s.enabled()) {
            return b.up().build();
        }
        if (s.sinceLastPoll() != null) {
            b.withData("sinceLastPollMs", s.sinceLastPoll().toMillis());
        }
        if (s.lastError() != null) {
            b.withData("lastError", s.lastError());
        }
        if (!s.threadAlive()) {
            return b.down().withData("error", "the intake thread is not running").build();
        }
        if (s.failingFor().compareTo(STALLED_AFTER) > 0) {
            return b.down().withData("failingForMs", s.failingFor().toMillis()).build();
        }
        return b.up().build();
    }
}
