package dev.governor.controlplane.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.store.AuditEntry;
import dev.governor.auditor.store.AuditLogStore;
import io.agroal.api.AgroalDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The log as it grows: while anyone follows, one poll of the database per process every 250 ms,
 * whose new entries go to every follower. Because every governance action commits with its entry,
 * following the log follows every instance's actions, not only this one's (the console's live
 * queue uses it).
 *
 * <p>The poll runs on a thread of its own, started by the first follower and stopped when the
 * last one leaves: Quarkus' scheduler runs nothing more often than once a second.
 */
@ApplicationScoped
public class AuditFeed {

    private static final Logger LOG = Logger.getLogger(AuditFeed.class);
    private static final int PAGE = 500;
    private static final long POLL_MILLIS = 250;

    private final AuditLogStore store;
    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final BroadcastProcessor<ObjectNode> appended = BroadcastProcessor.create();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "governor-audit-feed");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> polling;
    private long next;
    private int followers;

    public AuditFeed(AuditLogStore store, AgroalDataSource dataSource, ObjectMapper mapper) {
        this.store = store;
        this.dataSource = dataSource;
        this.mapper = mapper;
    }

    /** First the current size of the log ({@code type: "head"}), then every entry appended from then on. */
    public Multi<ObjectNode> follow() {
        long size = read(store::size);
        synchronized (this) {
            if (followers++ == 0) {
                next = size; // polling starts (again) here, never from where it stopped long ago
                polling = poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        ObjectNode head = mapper.createObjectNode().put("type", "head").put("size", size);
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(head),
                        // a burst (one poll may bring hundreds) waits for a slow follower instead of failing it
                        appended.onOverflow().buffer(10_000).select().where(e -> e.get("index").asLong() >= size))
                .onTermination().invoke(this::left);
    }

    private synchronized void left() {
        if (--followers == 0 && polling != null) {
            polling.cancel(false);
            polling = null;
        }
    }

    @PreDestroy
    void stop() {
        poller.shutdownNow();
    }

    /** Entries appended since the last poll; a failed poll is logged and retried at the next one. */
    synchronized void poll() {
        if (followers == 0) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            List<AuditEntry> fresh = store.entries(c, next, next + PAGE);
            if (!fresh.isEmpty()) {
                next = fresh.get(fresh.size() - 1).index() + 1;
            }
            fresh.forEach(e -> appended.onNext(summary(e)));
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Following the audit log failed (retried in 250 ms): %s", e.getMessage());
        }
    }

    private ObjectNode summary(AuditEntry e) {
        ObjectNode node = mapper.createObjectNode();
        node.put("index", e.index());
        node.put("type", e.type());
        node.put("proposalId", e.proposalId());
        node.put("actor", e.actor());
        node.put("policyRevision", e.policyRevision());
        node.put("occurredAt", e.occurredAt().toString());
        node.put("leafHash", HexFormat.of().formatHex(e.leafHash()));
        return node;
    }

    private <T> T read(java.util.function.Function<Connection, T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the audit log failed: " + e.getMessage(), e);
        }
    }
}
