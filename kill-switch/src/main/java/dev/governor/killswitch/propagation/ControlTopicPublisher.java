package dev.governor.killswitch.propagation;

import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.StateSigner;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes signed states on the control topic (key {@code global}) and returns only once the
 * broker has acknowledged the write to all in-sync replicas. The same call is the heartbeat:
 * publishing the current state again issues it with a fresh {@code issuedAt}, which renews the
 * guards' leases. Publishing is serialised, and an epoch lower than one already acknowledged is
 * refused ({@link StaleStateException}), so that a heartbeat that read the state just before a
 * change cannot land after it and become the topic's last value.
 */
public final class ControlTopicPublisher implements AutoCloseable {

    /** The control topic of ARCHITECTURE.md §8. */
    public static final String DEFAULT_TOPIC = "rsi.control";

    private final Producer<String, byte[]> producer;
    private final boolean ownsProducer;
    private final String topic;
    private final StateSigner signer;
    private final Clock clock;
    private final Duration ackTimeout;
    private long highestEpoch = -1;

    /**
     * Publishes through a producer the caller owns and closes; it must be configured as
     * {@link #producerConfig(String)} says (idempotent, {@code acks=all}).
     */
    public ControlTopicPublisher(Producer<String, byte[]> producer, String topic, StateSigner signer,
                                 Clock clock, Duration ackTimeout) {
        this(producer, false, topic, signer, clock, ackTimeout);
    }

    private ControlTopicPublisher(Producer<String, byte[]> producer, boolean ownsProducer, String topic,
                                  StateSigner signer, Clock clock, Duration ackTimeout) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.ownsProducer = ownsProducer;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ackTimeout = Objects.requireNonNull(ackTimeout, "ackTimeout");
    }

    /** A publisher with its own idempotent producer to {@code bootstrapServers}; closing it closes the producer. */
    public static ControlTopicPublisher create(String bootstrapServers, String topic, StateSigner signer, Clock clock) {
        return create(bootstrapServers, Map.of(), topic, signer, clock);
    }

    /**
     * As {@link #create(String, String, StateSigner, Clock)}, logging in with {@code clientProperties}:
     * standard Kafka client settings such as {@code security.protocol}, {@code sasl.mechanism},
     * {@code sasl.jaas.config} and {@code ssl.*}.
     */
    public static ControlTopicPublisher create(String bootstrapServers, Map<String, ?> clientProperties, String topic,
                                               StateSigner signer, Clock clock) {
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrapServers, clientProperties),
                new StringSerializer(), new ByteArraySerializer());
        return new ControlTopicPublisher(producer, true, topic, signer, clock, Duration.ofSeconds(10));
    }

    /** The producer settings the control topic needs: idempotent, acknowledged by all in-sync replicas, sent at once. */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        return producerConfig(bootstrapServers, Map.of());
    }

    /**
     * {@code clientProperties} (how to reach and log in to the broker; a {@code client.id} of the
     * caller's is kept) with the settings the control topic needs on top: those cannot be overridden.
     */
    public static Map<String, Object> producerConfig(String bootstrapServers, Map<String, ?> clientProperties) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "governor-kill-switch-publisher");
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        return config;
    }

    /**
     * Issues {@code signedState} now and waits for the broker's acknowledgement.
     *
     * @throws ControlPublishException when the broker did not acknowledge within the timeout
     */
    public Published publish(PauseState signedState) {
        return publish(signedState, Map.of());
    }

    /**
     * As {@link #publish(PauseState)}, with record headers (UTF-8 values), e.g. the W3C
     * {@code traceparent} of the request that changed the state.
     */
    public synchronized Published publish(PauseState signedState, Map<String, String> headers) {
        if (signedState.epoch() < highestEpoch) {
            // On a compacted topic the last record wins: an older state sent late would outlive the newer one.
            throw new StaleStateException("refusing to publish epoch " + signedState.epoch() + " on " + topic
                    + " after epoch " + highestEpoch + "; publish the current state instead");
        }
        ControlMessage message = ControlMessage.issue(signedState, clock.instant(), signer);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, ControlMessage.KEY, ControlMessageJson.encode(message));
        headers.forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        try {
            RecordMetadata metadata = producer.send(record).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
            highestEpoch = signedState.epoch();
            return new Published(message, metadata.partition(), metadata.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlPublishException("interrupted while waiting for " + topic + " to acknowledge epoch "
                    + signedState.epoch() + "; it may or may not have been written", e);
        } catch (ExecutionException e) {
            throw new ControlPublishException("could not publish epoch " + signedState.epoch() + " on " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ControlPublishException("no acknowledgement from " + topic + " for epoch " + signedState.epoch()
                    + " within " + ackTimeout + "; is the broker reachable?", e);
        }
    }

    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** A message the broker acknowledged, and where it was written. */
    public record Published(ControlMessage message, int partition, long offset) {
    }
}
