package dev.governor.killswitch.guard;

import dev.governor.killswitch.guard.GuardStatus.Verdict;
import dev.governor.killswitch.propagation.ControlTopicHeartbeat;
import dev.governor.killswitch.propagation.ControlTopicPublisher;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import dev.governor.killswitch.state.KillSwitchState;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.testing.ControlTopics;
import dev.governor.killswitch.testing.InJvmKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A real broker goes away under a running guard: the follower's consumer can no longer reach it,
 * no heartbeat arrives, and the guard fails closed once its lease runs out; when the broker is
 * back, the heartbeats resume and so does the guard.
 */
class BrokerOutageIT {

    private static final Duration LEASE = Duration.ofSeconds(3);

    @Test
    void whenTheBrokerGoesDownTheGuardFailsClosedAtLeaseExpiryAndRunsAgainWhenItReturns(@TempDir Path logDir) throws Exception {
        KeyPair keys = Ed25519Keys.generate();
        StateSigner signer = new Ed25519StateSigner(keys.getPrivate());
        PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);
        Clock clock = Clock.systemUTC();
        AtomicReference<PauseState> current = new AtomicReference<>(machine.initialState(clock.instant()));

        try (InJvmKafka kafka = new InJvmKafka(logDir).start();
             ControlTopics topic = ControlTopics.createUnauthenticated(kafka.bootstrapServers(), "rsi.control.outage");
             ControlTopicPublisher publisher = ControlTopicPublisher.create(kafka.bootstrapServers(), topic.name(), signer, clock);
             ControlTopicHeartbeat heartbeat = new ControlTopicHeartbeat(publisher, current::get, Duration.ofMillis(500)).start();
             KillSwitchGuard guard = KillSwitchGuard.follow(kafka.bootstrapServers(), topic.name(),
                     new Ed25519StateVerifier(keys.getPublic()), LEASE, clock)) {
            guard.awaitRunning(Duration.ofSeconds(30));

            kafka.stop();
            long stoppedAt = System.nanoTime();

            await().atMost(LEASE.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> guard.status().verdict() == Verdict.LEASE_EXPIRED);
            Duration haltedAfter = Duration.ofNanos(System.nanoTime() - stoppedAt);
            System.out.println("guard failed closed " + haltedAfter.toMillis() + " ms after the broker stopped (lease " + LEASE + ")");
            assertThat(haltedAfter).isLessThanOrEqualTo(LEASE.plusSeconds(5));
            assertThatThrownBy(guard::check).isInstanceOfSatisfying(LoopHaltedException.class, e -> {
                assertThat(e.state()).isEqualTo(KillSwitchState.RUNNING);
                assertThat(e.reason()).startsWith("lease expired / cannot reach Governor");
            });

            kafka.start();
            guard.awaitRunning(Duration.ofSeconds(60));
            assertThat(guard.status().verdict()).isEqualTo(Verdict.RUNNING);
        }
    }
}
