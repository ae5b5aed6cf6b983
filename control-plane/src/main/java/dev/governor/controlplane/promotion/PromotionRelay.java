package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.promotion.PromotionRefused;
import dev.governor.auditor.promotion.PromotionVerifier;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.kafka.KafkaClients;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.killswitch.state.PauseState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the promotion outbox to {@code rsi.promotions}, each message exactly once for
 * read_committed consumers. Each message goes out in its own Kafka transaction with a fixed
 * transactional id, and the outbox row is marked with where it landed. A crash between the
 * broker's commit and that mark is repaired before anything is sent: {@code initTransactions}
 * fences any earlier incarnation and aborts its open transaction, and every pass first reads the
 * topic after the last offset it marked and marks each promotion it finds there, so none is sent
 * twice. Marks carry the topic's Kafka id: after the topic is deleted and created again, marks of
 * the old topic are ignored and the new one is read from its beginning. One instance per
 * transactional id relays at a time (a PostgreSQL advisory lock).
 *
 * <p>Each record is a signed attestation ({@link PromotionAttestations}, ADR 0019), made just
 * before it is sent: only then is the promotion's audit entry covered by a checkpoint. Nothing is
 * published while the kill switch is not RUNNING; the Kafka transaction commits only under the
 * switch's shared row lock and at the epoch the attestation names, so no record becomes visible
 * after a pause commits. A promotion held across a pause goes out after the resume with a
 * {@code promotion.released} audit entry at the new epoch. Reconciliation marks an outbox row
 * only for a record signed with Governor's promotion key that describes that very promotion.
 *
 * <p>It is longer than 400 lines because publishing, fencing and reconciling share one producer,
 * one advisory lock and one view of the marks; the attestation itself is made by {@link PromotionReleases}.
 */
@ApplicationScoped
public class PromotionRelay {

    private static final Logger LOG = Logger.getLogger(PromotionRelay.class);
    public static final String PROMOTION_ID_HEADER = "governor-promotion-id";

    private final GovernorConfig config;
    private final KafkaClients kafka;
    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final KillSwitchService killSwitch;
    private final PromotionKeys promotionKeys;
    private final PromotionReleases releases;
    /** Records already reported as not Governor's (partition@offset), so each is alerted once per process. */
    private final Set<String> reportedForeign = ConcurrentHashMap.newKeySet();
    /** The kill-switch epoch at which the relay last said it holds, so that it says so once per halt. */
    private volatile long heldAtEpoch = -1;
    private final Object signal = new Object();
    private volatile boolean running;
    private volatile boolean woken;
    private Thread thread;
    private KafkaProducer<String, byte[]> producer;
    private Connection lockHolder;

    public PromotionRelay(GovernorConfig config, KafkaClients kafka, AgroalDataSource dataSource, ObjectMapper mapper,
                          MeterRegistry registry, KillSwitchService killSwitch, PromotionKeys promotionKeys, PromotionReleases releases) {
        this.killSwitch = killSwitch;
        this.promotionKeys = promotionKeys;
        this.releases = releases;
        this.config = config;
        this.kafka = kafka;
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        if (!config.review().relayEnabled()) {
            LOG.warn("Promotion relay disabled (governor.review.relay-enabled=false): promotions wait in the outbox");
            return;
        }
        running = true;
        thread = new Thread(this::run, "governor-promotion-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A promotion committed: relay now rather than at the next poll. */
    /** A promotion written to the outbox by a transaction; the relay wakes once that transaction commits. */
    record Promoted(UUID promotionId) {
    }

    void onPromotionCommitted(@Observes(during = TransactionPhase.AFTER_SUCCESS) Promoted promoted) {
        wake();
    }

    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                if (holdLock()) {
                    relayPending();
                }
            } catch (RuntimeException | SQLException e) {
                registry.counter("governor.promotions.relay.failures").increment();
                LOG.errorf("Promotion relay failed (%s%s); promotions stay in the outbox and are retried", e.toString(),
                        e.getCause() == null ? "" : ", caused by " + e.getCause());
                closeProducer();
            }
            synchronized (signal) {
                if (!woken && running) {
                    try {
                        signal.wait(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
        closeProducer();
        releaseLock();
    }

    private boolean holdLock() throws SQLException {
        if (lockHolder != null && lockHolder.isValid(2)) {
            return true;
        }
        releaseLock();
        Connection c = dataSource.getConnection();
        try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_lock(?)")) {
            ps.setLong(1, lockKey());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    lockHolder = c;
                    LOG.info("This instance relays promotions to " + config.topics().promotions());
                    closeProducer(); // a new holder starts with a fresh, fencing producer and a reconciliation
                    return true;
                }
            }
        }
        c.close();
        return false;
    }

    /** One relay per transactional id: the advisory lock is keyed by it ("gov" and the id's hash). */
    private long lockKey() {
        return 0x676f76L << 32 | (config.review().relayTransactionalId().hashCode() & 0xffffffffL);
    }

    private void releaseLock() {
        if (lockHolder != null) {
            try {
                lockHolder.close();
            } catch (SQLException ignored) {
                // the session ends, and its advisory lock with it
            }
            lockHolder = null;
        }
    }

    private void relayPending() throws SQLException {
        if (unpublished().isEmpty()) {
            return;
        }
        if (halted(killSwitch.current())) {
            return;
        }
        if (producer == null) {
            producer = transactionalProducer();
            producer.initTransactions();
        }
        // Promotions are human-paced, so every pass can afford to read the topic's tail first.
        String topicId = reconcile();
        for (Pending p : unpublished()) {
            if (!running) {
                return;
            }
            PromotionAttestations.Attested attested = releases.attest(p.promotionId(), p.proposalId(), p.payload());
            if (attested == null) {
                halted(killSwitch.current());
                return; // halted meanwhile
            }
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.topics().promotions(), p.proposalId(),
                    attested.recordValue());
            record.headers().add(PROMOTION_ID_HEADER, p.promotionId().toString().getBytes(StandardCharsets.UTF_8));
            producer.beginTransaction();
            RecordMetadata meta;
            try {
                meta = producer.send(record).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                abortQuietly();
                throw new IllegalStateException("could not publish promotion " + p.promotionId() + ": " + e, e);
            }
            // The record becomes visible only at the Kafka commit, made under the kill switch's shared lock
            // at the attested epoch: a pause either commits first (and the record is aborted) or waits for it.
            boolean committed = QuarkusTransaction.requiringNew().call(() -> {
                PauseState now = killSwitch.lockForPromotion();
                if (!killSwitch.runs(now) || now.epoch() != attested.epoch()) {
                    return false;
                }
                producer.commitTransaction();
                mark(p.promotionId(), topicId, meta.partition(), meta.offset());
                return true;
            });
            if (!committed) {
                abortQuietly();
                halted(killSwitch.current());
                return;
            }
            registry.counter("governor.promotions.published").increment();
            LOG.infof("Promotion %s of %s published on %s-%d@%d (kill-switch epoch %d, audit entry %d)", p.promotionId(),
                    p.proposalId(), meta.topic(), meta.partition(), meta.offset(), attested.epoch(), attested.entryIndex());
        }
    }

    /** Whether the relay must hold: the switch is not RUNNING (or does not verify); says so once per halt. */
    private boolean halted(PauseState ks) {
        if (killSwitch.runs(ks)) {
            heldAtEpoch = -1;
            return false;
        }
        if (heldAtEpoch != ks.epoch()) {
            heldAtEpoch = ks.epoch();
            LOG.warnf("Promotions are held in the outbox: the kill switch is %s at epoch %d%s; they are published after the resume, "
                    + "attested at the new epoch", ks.state(), ks.epoch(), killSwitch.verifies(ks) ? "" : " (not verified)");
        }
        return true;
    }

    private record Pending(UUID promotionId, String proposalId, String payload) {
    }

    private List<Pending> unpublished() throws SQLException {
        List<Pending> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select promotion_id, proposal_id, payload::text from promotion_outbox "
                     + "where published_at is null order by created_at limit 100");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Pending(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
            }
        }
        return out;
    }

    private JsonNode json(String text, String what) {
        try {
            return mapper.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(what + " is not JSON", e);
        }
    }

    /** Records where a promotion landed, unless it is already recorded; returns 1 if it marked the row. */
    private int mark(UUID promotionId, String topicId, int partition, long offset) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("update promotion_outbox set published_at = ?, kafka_topic_id = ?, "
                     + "kafka_partition = ?, kafka_offset = ? where promotion_id = ? and published_at is null")) {
            ps.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
            ps.setString(2, topicId);
            ps.setInt(3, partition);
            ps.setLong(4, offset);
            ps.setObject(5, promotionId);
            return ps.executeUpdate();
        }
    }

    /**
     * After fencing: every promotion committed on the topic beyond the offsets already marked is
     * marked now, so that a crash between the broker's commit and the mark sends nothing twice.
     * Only marks of this incarnation of the topic (its Kafka topic id) say where to start; returns that id.
     */
    private String reconcile() throws SQLException {
        String topic = config.topics().promotions();
        String topicId = topicId(topic);
        Map<Integer, Long> marked = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select kafka_partition, max(kafka_offset) from promotion_outbox "
                     + "where kafka_topic_id = ? and kafka_partition is not null group by kafka_partition")) {
            ps.setString(1, topicId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    marked.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        Map<String, Object> props = new HashMap<>(kafka.connection());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "governor-promotion-reconcile-" + ProcessHandle.current().pid());
        int repaired = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            for (TopicPartition tp : partitions) {
                Long last = marked.get(tp.partition());
                if (last == null || last >= end.get(tp)) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, last + 1);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!caughtUp(consumer, partitions, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s to reconcile the outbox");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    UUID promotionId = governorsPromotion(r);
                    if (promotionId != null) {
                        repaired += mark(promotionId, topicId, r.partition(), r.offset());
                    }
                }
            }
        }
        if (repaired > 0) {
            LOG.warnf("Reconciled %d promotion(s) already on %s but not marked in the outbox (a crash after publishing); "
                    + "they are not sent again", repaired, topic);
        }
        return topicId;
    }

    /**
     * The outbox promotion a record on the topic is, or null: only a record signed with Governor's
     * promotion key whose statement describes a stored promotion counts. Anything else (hand-made,
     * signed by another key, edited, or naming a promotion this outbox does not hold) is alerted and ignored.
     */
    private UUID governorsPromotion(ConsumerRecord<String, byte[]> r) throws SQLException {
        PromotionVerifier.Promotion attested;
        try {
            attested = promotionKeys.verifier().authenticate(r.value() == null ? new byte[0] : r.value());
        } catch (PromotionRefused refused) {
            foreign(r, refused.toString());
            return null;
        }
        UUID id;
        try {
            id = UUID.fromString(attested.promotionId());
        } catch (IllegalArgumentException e) {
            foreign(r, "signed, but its promotion id is not a UUID");
            return null;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select payload::text from promotion_outbox where promotion_id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    foreign(r, "signed, but promotion " + id + " is not in this outbox");
                    return null;
                }
                if (!PromotionAttestations.describes(attested.predicate(), json(rs.getString(1), "outbox payload of " + id))) {
                    foreign(r, "signed, but it does not describe promotion " + id + " as stored");
                    return null;
                }
            }
        }
        return id;
    }

    private void foreign(ConsumerRecord<String, byte[]> r, String why) {
        if (reportedForeign.add(r.partition() + "@" + r.offset())) {
            registry.counter("governor.promotions.foreign.records").increment();
            LOG.errorf("ALERT record %s-%d@%d (key %s) is not a Governor promotion: %s. It is ignored here, and deployers "
                    + "that verify records refuse it", r.topic(), r.partition(), r.offset(), r.key(), why);
        }
    }

    /** The topic's Kafka id, which changes when the topic is deleted and created again. */
    private String topicId(String topic) {
        Map<String, Object> props = new HashMap<>(kafka.connection());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "governor-promotion-reconcile-admin-" + ProcessHandle.current().pid());
        try (Admin admin = Admin.create(props)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic).topicId().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not describe " + topic + " to reconcile the outbox: " + e, e);
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    private KafkaProducer<String, byte[]> transactionalProducer() {
        Map<String, Object> props = new HashMap<>(kafka.connection());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.review().relayTransactionalId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "governor-promotion-relay-" + ProcessHandle.current().pid());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            LOG.debugf("abort after a failed publication: %s", e.toString());
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException ignored) {
                // replaced by a new producer that fences it
            }
            producer = null;
        }
    }
}
