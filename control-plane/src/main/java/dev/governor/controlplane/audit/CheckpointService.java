package dev.governor.controlplane.audit;

import dev.governor.auditor.store.AuditLogStore;
import dev.governor.auditor.store.StoredCheckpoint;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.kafka.KafkaClients;
import io.agroal.api.AgroalDataSource;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Signs a checkpoint whenever the log has grown (on a schedule, and on demand for regulators),
 * stores it, and publishes it on {@code rsi.audit.checkpoints}.
 */
@ApplicationScoped
public class CheckpointService {

    private static final Logger LOG = Logger.getLogger(CheckpointService.class);

    private final AuditLogStore store;
    private final AuditKeys keys;
    private final AgroalDataSource dataSource;
    private final KafkaClients kafka;
    private final GovernorConfig config;
    /** The newest stored checkpoint this instance has seen, and when it looked (nanoTime). */
    private volatile Seen seen;

    private record Seen(StoredCheckpoint checkpoint, long at) {
    }

    public CheckpointService(AuditLogStore store, AuditKeys keys, AgroalDataSource dataSource, KafkaClients kafka,
                             GovernorConfig config) {
        this.store = store;
        this.keys = keys;
        this.dataSource = dataSource;
        this.kafka = kafka;
        this.config = config;
    }

    @Scheduled(every = "${governor.audit.checkpoint-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "2s")
    void scheduled() {
        try {
            current();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not sign an audit checkpoint");
        }
    }

    /** The newest checkpoint, signing a new one first if the log has grown since the last. */
    @WithSpan("CheckpointService.current")
    public StoredCheckpoint current() {
        StoredCheckpoint[] fresh = new StoredCheckpoint[1];
        StoredCheckpoint cp = QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                long size = store.size(c);
                Optional<StoredCheckpoint> latest = store.latestCheckpoint(c);
                if (latest.isPresent() && latest.get().treeHead().size() == size) {
                    return latest.get();
                }
                fresh[0] = store.publishCheckpoint(c, keys.signer());
                return fresh[0];
            }
        });
        if (fresh[0] != null) {
            publish(fresh[0]);
        }
        remember(cp);
        return cp;
    }

    /**
     * The newest stored checkpoint, as read at most a second ago (proof requests ask for it on
     * every call; another instance may have stored a newer one since). Never signs, except the
     * first checkpoint of an empty table.
     */
    public StoredCheckpoint newestStored() {
        Seen s = seen;
        if (s != null && System.nanoTime() - s.at() < 1_000_000_000L) {
            return s.checkpoint();
        }
        return refreshNewest();
    }

    /** Reads the newest stored checkpoint now (for a tree size beyond the one last seen). */
    public StoredCheckpoint refreshNewest() {
        try (Connection c = dataSource.getConnection()) {
            Optional<StoredCheckpoint> latest = store.latestCheckpoint(c);
            if (latest.isPresent()) {
                remember(latest.get());
                return latest.get();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("reading the newest checkpoint failed: " + e.getMessage(), e);
        }
        return current();
    }

    private void remember(StoredCheckpoint cp) {
        Seen s = seen;
        if (s == null || cp.treeHead().size() >= s.checkpoint().treeHead().size()) {
            seen = new Seen(cp, System.nanoTime());
        }
    }

    private void publish(StoredCheckpoint cp) {
        try {
            kafka.send(new ProducerRecord<>(config.topics().auditCheckpoints(), keys.origin(),
                    cp.signedNote().getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The checkpoint is stored and served by the API; the topic catches up with the next one.
            LOG.warnf("Checkpoint of size %d is stored but not yet on %s: %s", cp.treeHead().size(),
                    config.topics().auditCheckpoints(), e.getMessage());
        }
    }
}
