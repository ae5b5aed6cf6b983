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
        return cp;
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
