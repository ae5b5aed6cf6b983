package dev.governor.killswitch.propagation;

import dev.governor.killswitch.propagation.ControlListener.IgnoredRecord;
import dev.governor.killswitch.state.StateVerifier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Follows the compacted control topic from its beginning on a daemon thread and keeps the
 * verified message with the highest epoch. Older epochs, unsigned or badly signed messages,
 * other keys, tombstones and replays of an older issue are ignored, logged and reported to
 * listeners' {@link ControlListener#onIgnored}. It joins no consumer group: every follower
 * reads every partition itself.
 *
 * <p>When the broker cannot be reached the consumer keeps retrying and nothing is delivered;
 * a {@code KillSwitchGuard} turns that silence into a halt when its lease runs out.
 */
public final class ControlTopicFollower implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlTopicFollower.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final StateVerifier verifier;
    private final Clock clock;
    private final List<ControlListener> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile ControlMessage latest;
    private volatile boolean closing;

    /** A follower over a consumer it owns and closes; see {@link #consumerConfig(String)} for its settings. */
    public ControlTopicFollower(Consumer<String, byte[]> consumer, String topic, StateVerifier verifier, Clock clock) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.thread = new Thread(this::run, "governor-control-follower-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    public static ControlTopicFollower create(String bootstrapServers, String topic, StateVerifier verifier, Clock clock) {
        return create(bootstrapServers, Map.of(), topic, verifier, clock);
    }

    /**
     * As {@link #create(String, String, StateVerifier, Clock)}, logging in with {@code clientProperties}:
     * standard Kafka client settings such as {@code security.protocol}, {@code sasl.mechanism},
     * {@code sasl.jaas.config} and {@code ssl.*} (a loop passes its own principal's).
     */
    public static ControlTopicFollower create(String bootstrapServers, Map<String, ?> clientProperties, String topic,
                                              StateVerifier verifier, Clock clock) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers, clientProperties),
                new StringDeserializer(), new ByteArrayDeserializer());
        return new ControlTopicFollower(consumer, topic, verifier, clock);
    }

    /** No group, no commits, from the earliest offset, committed records only, quick reconnects. */
    public static Map<String, Object> consumerConfig(String bootstrapServers) {
        return consumerConfig(bootstrapServers, Map.of());
    }

    /**
     * {@code clientProperties} (how to reach and log in to the broker; a {@code client.id} of the
     * caller's is kept) with the follower's own settings on top. A {@code group.id} is dropped: the
     * follower reads the whole topic by itself and needs no group (nor an ACL for one).
     */
    public static Map<String, Object> consumerConfig(String bootstrapServers, Map<String, ?> clientProperties) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "governor-kill-switch-follower");
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, 100);
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) METADATA_TIMEOUT.toMillis());
        return config;
    }

    /** Adds a listener; add them before {@link #start()} so that none misses the first messages. */
    public ControlTopicFollower addListener(ControlListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    public ControlTopicFollower start() {
        thread.start();
        return this;
    }

    /** The verified message with the highest epoch seen so far (with its latest heartbeat), if any. */
    public Optional<ControlMessage> latest() {
        return Optional.ofNullable(latest);
    }

    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!thread.isAlive()) {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void run() {
        boolean assigned = false;
        while (!closing) {
            try {
                if (!assigned) {
                    assigned = assign();
                    if (!assigned) {
                        sleep(RETRY_BACKOFF);
                        continue;
                    }
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    handle(record.key(), record.value(), record.partition(), record.offset());
                }
            } catch (WakeupException wakeup) {
                if (!closing) {
                    LOG.log(System.Logger.Level.DEBUG, "spurious wakeup of the " + topic + " follower");
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "following " + topic + " failed, retrying in " + RETRY_BACKOFF + ": " + e);
                sleep(RETRY_BACKOFF);
            }
        }
    }

    private boolean assign() {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        if (partitions == null || partitions.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "the control topic " + topic + " does not exist (yet); retrying");
            return false;
        }
        List<TopicPartition> assignment = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(assignment);
        consumer.seekToBeginning(assignment);
        return true;
    }

    /** Decides about one record; package-private so that the rules are tested without a broker. */
    void handle(String key, byte[] value, int partition, long offset) {
        if (!ControlMessage.KEY.equals(key)) {
            ignore(new IgnoredRecord(partition, offset, null, "key '" + key + "' is not '" + ControlMessage.KEY + "'"));
            return;
        }
        ControlMessage message;
        try {
            message = ControlMessageJson.decode(value);
        } catch (MalformedControlMessageException e) {
            ignore(new IgnoredRecord(partition, offset, null, "malformed: " + e.getMessage()));
            return;
        }
        long epoch = message.state().epoch();
        String rejection = message.rejectionBy(verifier);
        if (rejection != null) {
            ignore(new IgnoredRecord(partition, offset, epoch, rejection));
            return;
        }
        ControlMessage held = latest;
        if (held != null) {
            long heldEpoch = held.state().epoch();
            if (epoch < heldEpoch) {
                ignore(new IgnoredRecord(partition, offset, epoch, "stale: epoch " + epoch + " is older than epoch " + heldEpoch + " already held"));
                return;
            }
            if (epoch == heldEpoch) {
                if (!message.state().equals(held.state())) {
                    ignore(new IgnoredRecord(partition, offset, epoch, "conflict: a different signed state claims epoch " + epoch
                            + "; keeping the first one seen"));
                    return;
                }
                if (!message.issuedAt().isAfter(held.issuedAt())) {
                    ignore(new IgnoredRecord(partition, offset, epoch, "replay: epoch " + epoch + " issued " + message.issuedAt()
                            + " is not later than the issue already held (" + held.issuedAt() + ")"));
                    return;
                }
            }
        }
        latest = message;
        var receivedAt = clock.instant();
        for (ControlListener listener : listeners) {
            try {
                listener.onVerified(message, receivedAt);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "a control listener failed on epoch " + epoch, e);
            }
        }
    }

    private void ignore(IgnoredRecord ignored) {
        LOG.log(System.Logger.Level.WARNING, "ignoring " + topic + "-" + ignored.partition() + "@" + ignored.offset() + ": " + ignored.reason());
        for (ControlListener listener : listeners) {
            try {
                listener.onIgnored(ignored);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "a control listener failed on an ignored record", e);
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
