package dev.governor.killswitch.guard;

import dev.governor.killswitch.guard.GuardStatus.Verdict;
import dev.governor.killswitch.propagation.ControlMessage;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.KillSwitchState;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The guard's lease, on a clock the test moves. */
class KillSwitchGuardTest {

    private static final Instant T0 = Instant.parse("2026-11-25T18:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(10);

    private final StateSigner signer = new Ed25519StateSigner(Ed25519Keys.generate().getPrivate());
    private final PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);
    private final MutableClock clock = new MutableClock(T0);
    private final KillSwitchGuard guard = new KillSwitchGuard(LEASE, clock);
    private final PauseState running = machine.initialState(T0);
    private final PauseState paused = machine.pause(running, "alice", Set.of(Roles.SAFETY_OFFICER), "evaluator drift", T0).to();

    private void receive(PauseState state, Instant issuedAt) {
        guard.onVerified(ControlMessage.issue(state, issuedAt, signer), clock.instant());
    }

    @Test
    void beforeAnyStateArrivesTheGuardFailsClosed() {
        assertThatThrownBy(guard::check)
                .isInstanceOfSatisfying(LoopHaltedException.class, e -> {
                    assertThat(e.verdict()).isEqualTo(Verdict.NO_STATE);
                    assertThat(e.state()).isNull();
                    assertThat(e.epoch()).isEqualTo(-1);
                })
                .hasMessage("loop halted: lease expired / cannot reach Governor: no verified kill-switch state received yet");
    }

    @Test
    void aFreshRunningStateLetsTheLoopStep() {
        receive(running, T0);

        assertThatNoException().isThrownBy(guard::check);
        assertThat(guard.status().leaseExpiresAt()).isEqualTo(T0.plus(LEASE));
    }

    @Test
    void aPausedStateHaltsWithItsStateEpochAndReason() {
        receive(running, T0);
        receive(paused, T0.plusSeconds(1));

        assertThatThrownBy(guard::check)
                .isInstanceOfSatisfying(LoopHaltedException.class, e -> {
                    assertThat(e.verdict()).isEqualTo(Verdict.HALTED);
                    assertThat(e.state()).isEqualTo(KillSwitchState.PAUSED);
                    assertThat(e.epoch()).isEqualTo(1);
                    assertThat(e.reason()).isEqualTo("PAUSED at epoch 1 by alice: evaluator drift");
                });
    }

    @Test
    void theLeaseExpiresWithoutHeartbeatsAndTheGuardFailsClosed() {
        receive(running, T0);

        clock.advance(LEASE.minusMillis(1));
        assertThatNoException().isThrownBy(guard::check);

        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(guard::check)
                .isInstanceOfSatisfying(LoopHaltedException.class, e -> {
                    assertThat(e.verdict()).isEqualTo(Verdict.LEASE_EXPIRED);
                    assertThat(e.state()).isEqualTo(KillSwitchState.RUNNING);
                    assertThat(e.reason()).startsWith("lease expired / cannot reach Governor: the last verified message (epoch 0, RUNNING");
                });
    }

    @Test
    void heartbeatsRenewTheLeaseAndAHeartbeatAfterExpiryRestoresRunning() {
        receive(running, T0);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(3));
            receive(running, clock.instant());
            assertThatNoException().isThrownBy(guard::check);
        }

        clock.advance(LEASE.plusSeconds(5));
        assertThat(guard.status().verdict()).isEqualTo(Verdict.LEASE_EXPIRED);

        receive(running, clock.instant());
        assertThat(guard.status().verdict()).isEqualTo(Verdict.RUNNING);
    }

    @Test
    void anOldMessageReadFromTheCompactedTopicAfterGovernorDiedRenewsNothing() {
        clock.set(T0.plus(Duration.ofHours(2)));

        receive(running, T0);

        assertThat(guard.status().verdict()).isEqualTo(Verdict.LEASE_EXPIRED);
        assertThat(guard.status().leaseExpiresAt()).isEqualTo(T0.plus(LEASE));
    }

    @Test
    void aMessageDatedInTheFutureLeasesNoLongerThanOneReceivedNow() {
        receive(running, T0.plus(Duration.ofHours(1)));

        assertThat(guard.status().leaseExpiresAt()).isEqualTo(T0.plus(LEASE));
    }

    @Test
    void anOlderEpochDeliveredLateDoesNotOverrideTheHeldState() {
        receive(paused, T0);
        receive(running, T0.plusSeconds(1));

        assertThat(guard.status().verdict()).isEqualTo(Verdict.HALTED);
        assertThat(guard.status().epoch()).isEqualTo(1);
    }

    @Test
    void aPausedStateStillHaltsWhenItsLeaseHasExpired() {
        receive(paused, T0);
        clock.advance(LEASE);

        assertThat(guard.status().verdict()).isEqualTo(Verdict.LEASE_EXPIRED);
        assertThat(guard.status().running()).isFalse();
    }

    @Test
    void awaitRunningReturnsWhenAResumeArrives() throws Exception {
        receive(paused, T0);
        PauseState pending = machine.requestResume(paused, "alice", Set.of(Roles.SAFETY_OFFICER), "fixed", T0).to();
        PauseState resumed = machine.requestResume(pending, "bob", Set.of(Roles.SAFETY_OFFICER), "agreed", T0).to();

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                guard.awaitRunning(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(waiting).isNotDone();

        receive(resumed, T0);

        waiting.get(5, TimeUnit.SECONDS);
        assertThat(guard.status().running()).isTrue();
    }

    @Test
    void awaitRunningGivesUpAfterItsTimeoutWithTheHaltReason() {
        receive(paused, T0);

        long started = System.nanoTime();
        assertThatThrownBy(() -> guard.awaitRunning(Duration.ofMillis(200)))
                .isInstanceOfSatisfying(LoopHaltedException.class, e -> assertThat(e.state()).isEqualTo(KillSwitchState.PAUSED));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
}
