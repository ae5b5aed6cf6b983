package dev.governor.killswitch.guard;

import dev.governor.killswitch.guard.GuardStatus.Verdict;
import dev.governor.killswitch.propagation.ControlListener;
import dev.governor.killswitch.propagation.ControlMessage;
import dev.governor.killswitch.propagation.ControlMessageJson;
import dev.governor.killswitch.propagation.ControlTopicFollower;
import dev.governor.killswitch.propagation.ControlTopicHeartbeat;
import dev.governor.killswitch.propagation.ControlTopicPublisher;
import dev.governor.killswitch.propagation.StaleStateException;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import dev.governor.killswitch.state.KillSwitchState;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.state.StateVerifier;
import dev.governor.killswitch.testing.ControlTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Publisher, follower and guard against the real broker, on a compacted topic of this test's own. */
class ControlTopicIT {

    private static final Set<String> OFFICER = Set.of(Roles.SAFETY_OFFICER);
    private static final Duration SHORT_LEASE = Duration.ofSeconds(2);

    private final KeyPair keys = Ed25519Keys.generate();
    private final StateSigner signer = new Ed25519StateSigner(keys.getPrivate());
    private final StateVerifier verifier = new Ed25519StateVerifier(keys.getPublic());
    private final PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);
    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private ControlTopics topic;
    private ControlTopicPublisher publisher;

    @BeforeEach
    void createTopic() throws Exception {
        topic = ControlTopics.create(ControlTopics.BOOTSTRAP, "rsi.control.it");
        publisher = ControlTopicPublisher.create(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR, topic.name(), signer, clock);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (topic != null) {
            topic.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private KillSwitchGuard guard(Duration lease) {
        return closeLater(KillSwitchGuard.follow(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR, topic.name(), verifier, lease, clock));
    }

    @Test
    void aGuardRunsOnAFreshRunningStateAndHaltsOnAPauseWithItsReason() throws Exception {
        PauseState running = machine.initialState(clock.instant());
        publisher.publish(running);
        KillSwitchGuard guard = guard(Duration.ofSeconds(30));
        guard.awaitRunning(Duration.ofSeconds(20));

        PauseState paused = machine.pause(running, "alice", OFFICER, "evaluator drift on run 42", clock.instant()).to();
        publisher.publish(paused);

        await().atMost(Duration.ofSeconds(10)).until(() -> !guard.status().running());
        assertThatThrownBy(guard::check)
                .isInstanceOfSatisfying(LoopHaltedException.class, e -> {
                    assertThat(e.state()).isEqualTo(KillSwitchState.PAUSED);
                    assertThat(e.epoch()).isEqualTo(1);
                    assertThat(e.reason()).isEqualTo("PAUSED at epoch 1 by alice: evaluator drift on run 42");
                });
    }

    @Test
    void staleForgedUnsignedAndGarbageRecordsAreIgnoredAndThePauseHolds() throws Exception {
        PauseState running = machine.initialState(clock.instant());
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", clock.instant()).to();
        publisher.publish(running);
        publisher.publish(paused);

        StateSigner forger = new Ed25519StateSigner(Ed25519Keys.generate().getPrivate());
        PauseState forgedResume = new PauseState(KillSwitchState.RUNNING, 2, "forged", "mallory", null, clock.instant(), null, null).signedWith(forger);
        PauseState unsignedResume = new PauseState(KillSwitchState.RUNNING, 3, "unsigned", "mallory", null, clock.instant(), null, null);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(ControlTopicPublisher.producerConfig(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR),
                new StringSerializer(), new ByteArraySerializer())) {
            // An old RUNNING state, validly signed and re-issued with a fresh time: stale by its epoch.
            raw.send(record(ControlMessage.issue(running, clock.instant(), signer))).get();
            raw.send(record(ControlMessage.issue(forgedResume, clock.instant(), forger))).get();
            raw.send(record(new ControlMessage(unsignedResume, clock.instant(), null))).get();
            raw.send(new ProducerRecord<>(topic.name(), ControlMessage.KEY, "{\"format\":\"governor-killswitch/v1\"".getBytes(StandardCharsets.UTF_8))).get();
        }
        // A heartbeat of the real state last, to know the follower has read past everything above.
        Thread.sleep(5);
        Instant marker = publisher.publish(paused).message().issuedAt();

        List<ControlListener.IgnoredRecord> ignored = new CopyOnWriteArrayList<>();
        AtomicReference<ControlMessage> lastVerified = new AtomicReference<>();
        KillSwitchGuard guard = new KillSwitchGuard(Duration.ofSeconds(30), clock);
        ControlTopicFollower follower = closeLater(ControlTopicFollower.create(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR, topic.name(), verifier, clock));
        follower.addListener(guard).addListener(new ControlListener() {
            @Override
            public void onVerified(ControlMessage message, Instant receivedAt) {
                lastVerified.set(message);
            }

            @Override
            public void onIgnored(IgnoredRecord record) {
                ignored.add(record);
            }
        }).start();

        await().atMost(Duration.ofSeconds(20)).until(() -> lastVerified.get() != null && lastVerified.get().issuedAt().equals(marker));
        assertThat(guard.status().verdict()).isEqualTo(Verdict.HALTED);
        assertThat(guard.status().lastState()).isEqualTo(paused);
        assertThat(ignored).extracting(ControlListener.IgnoredRecord::reason).satisfiesExactly(
                r -> assertThat(r).isEqualTo("stale: epoch 0 is older than epoch 1 already held"),
                r -> assertThat(r).isEqualTo("the state's signature at epoch 2 does not verify"),
                r -> assertThat(r).isEqualTo("the state at epoch 3 is unsigned"),
                r -> assertThat(r).startsWith("malformed: not JSON"));
    }

    @Test
    void guardsFailClosedWhenHeartbeatsStopAndRunAgainWhenTheyReturn() throws Exception {
        AtomicReference<PauseState> current = new AtomicReference<>(machine.initialState(clock.instant()));
        KillSwitchGuard guard = guard(SHORT_LEASE);
        try (ControlTopicHeartbeat heartbeat = new ControlTopicHeartbeat(publisher, current::get, Duration.ofMillis(300)).start()) {
            guard.awaitRunning(Duration.ofSeconds(20));
            // Several leases long: heartbeats alone keep the guard running.
            long until = System.nanoTime() + SHORT_LEASE.multipliedBy(2).toNanos();
            while (System.nanoTime() < until) {
                guard.check();
                Thread.sleep(50);
            }
        }

        await().atMost(SHORT_LEASE.plusSeconds(3)).until(() -> guard.status().verdict() == Verdict.LEASE_EXPIRED);
        assertThatThrownBy(guard::check).isInstanceOfSatisfying(LoopHaltedException.class, e -> {
            assertThat(e.state()).isEqualTo(KillSwitchState.RUNNING);
            assertThat(e.reason()).startsWith("lease expired / cannot reach Governor");
        });

        try (ControlTopicHeartbeat ignoredHeartbeat = new ControlTopicHeartbeat(publisher, current::get, Duration.ofMillis(300)).start()) {
            guard.awaitRunning(Duration.ofSeconds(10));
        }
    }

    @Test
    void aGuardPointedAtAClosedPortNeverRunsEvenWhileGovernorPublishesRunning() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AtomicReference<PauseState> current = new AtomicReference<>(machine.initialState(clock.instant()));
        KillSwitchGuard reachable = guard(SHORT_LEASE);
        KillSwitchGuard unreachable = closeLater(KillSwitchGuard.follow("127.0.0.1:" + closedPort, ControlTopics.GOVERNOR, topic.name(), verifier, SHORT_LEASE, clock));
        try (ControlTopicHeartbeat heartbeat = new ControlTopicHeartbeat(publisher, current::get, Duration.ofMillis(300)).start()) {
            reachable.awaitRunning(Duration.ofSeconds(20));

            assertThatThrownBy(() -> unreachable.awaitRunning(SHORT_LEASE.multipliedBy(2)))
                    .isInstanceOfSatisfying(LoopHaltedException.class, e -> {
                        assertThat(e.verdict()).isEqualTo(Verdict.NO_STATE);
                        assertThat(e.reason()).isEqualTo("lease expired / cannot reach Governor: no verified kill-switch state received yet");
                    });
            reachable.check();
        }
    }

    @Test
    void aGuardStartingAfterGovernorStoppedDoesNotRunOnTheLastRetainedRunningState() throws Exception {
        Clock anHourAgo = Clock.offset(clock, Duration.ofHours(-1));
        try (ControlTopicPublisher past = ControlTopicPublisher.create(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR, topic.name(), signer, anHourAgo)) {
            past.publish(machine.initialState(anHourAgo.instant()));
        }
        List<ControlMessage> verified = new CopyOnWriteArrayList<>();
        KillSwitchGuard guard = new KillSwitchGuard(Duration.ofSeconds(30), clock);
        closeLater(ControlTopicFollower.create(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR, topic.name(), verifier, clock))
                .addListener(guard).addListener((message, at) -> verified.add(message)).start();

        await().atMost(Duration.ofSeconds(20)).until(() -> !verified.isEmpty());
        assertThat(guard.status().verdict()).isEqualTo(Verdict.LEASE_EXPIRED);
        assertThat(guard.status().state()).isEqualTo(KillSwitchState.RUNNING);
    }

    @Test
    void aPublishedStateIsReadBackAtItsAcknowledgedOffsetWithItsHeaders() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        ControlTopicPublisher.Published published = publisher.publish(machine.initialState(clock.instant()), Map.of("traceparent", traceparent));

        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(ControlTopicFollower.consumerConfig(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic.name(), published.partition());
            consumer.assign(List.of(partition));
            consumer.seek(partition, published.offset());
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
            ConsumerRecord<String, byte[]> record = records.get(0);
            assertThat(record.key()).isEqualTo("global");
            assertThat(new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8)).isEqualTo(traceparent);
            assertThat(ControlMessageJson.decode(record.value())).isEqualTo(published.message());
            assertThat(published.message().isVerifiedBy(verifier)).isTrue();
        }
    }

    @Test
    void aPublisherRefusesAnOlderEpochSoThatItCannotBecomeTheTopicsLastValue() throws Exception {
        PauseState running = machine.initialState(clock.instant());
        PauseState paused = machine.pause(running, "alice", OFFICER, "drift", clock.instant()).to();
        ControlTopicPublisher.Published last = publisher.publish(paused);

        assertThatThrownBy(() -> publisher.publish(running))
                .isInstanceOf(StaleStateException.class)
                .hasMessageStartingWith("refusing to publish epoch 0 on " + topic.name() + " after epoch 1");

        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(ControlTopicFollower.consumerConfig(ControlTopics.BOOTSTRAP, ControlTopics.GOVERNOR),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic.name(), last.partition());
            assertThat(consumer.endOffsets(List.of(partition)).get(partition)).isEqualTo(last.offset() + 1);
        }
    }

    private ProducerRecord<String, byte[]> record(ControlMessage message) {
        return new ProducerRecord<>(topic.name(), ControlMessage.KEY, ControlMessageJson.encode(message));
    }
}
