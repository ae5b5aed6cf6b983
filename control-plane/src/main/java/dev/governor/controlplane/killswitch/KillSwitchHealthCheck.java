package dev.governor.controlplane.killswitch;

import dev.governor.killswitch.state.PauseState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;

/**
 * The kill switch in {@code /q/health}: its state, epoch, who changed it and why, a pending
 * resume, and when rsi.control last acknowledged it. PAUSED is a healthy state, and so is a state
 * that does not verify with the signing key: Governor treats it as halted (fail closed) and must
 * stay reachable so that officers can pause and resume, which re-signs it; the check then carries
 * {@code verified: false} and an alert (also the metric {@code governor.killswitch.verified}).
 * Only a state that cannot be read is DOWN.
 */
@Readiness
@ApplicationScoped
public class KillSwitchHealthCheck implements HealthCheck {

    private final KillSwitchService killSwitch;

    public KillSwitchHealthCheck(KillSwitchService killSwitch) {
        this.killSwitch = killSwitch;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("kill-switch");
        try {
            PauseState s = killSwitch.current();
            b.withData("state", s.state().name()).withData("epoch", s.epoch()).withData("actor", s.actor())
                    .withData("reason", s.reason()).withData("changedAt", s.changedAt().toString());
            if (s.cause() != null) {
                b.withData("cause", s.cause());
            }
            if (s.pendingResume() != null) {
                b.withData("pendingResumeBy", s.pendingResume().officer())
                        .withData("pendingResumeExpiresAt", s.pendingResume().expiresAt().toString());
            }
            Instant published = killSwitch.lastPublished();
            b.withData("lastPublishedMsAgo", published == null ? -1 : Duration.between(published, Instant.now()).toMillis());
            if (killSwitch.localHalt() != null) {
                b.withData("localHalt", killSwitch.localHalt());
            }
            boolean verified = killSwitch.verifies(s);
            b.withData("verified", verified);
            if (!verified) {
                b.withData("alert", "the stored state does not verify with the kill-switch key: treated as halted until an "
                        + "officer pauses and two officers resume");
            }
            return b.up().build();
        } catch (RuntimeException e) {
            return b.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
