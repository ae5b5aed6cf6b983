package dev.governor.controlplane.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.store.AuditEvent;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.controlplane.security.Actor;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes governance events to the tamper-evident log inside the transaction of the action they
 * record. Events of one transaction are appended together just before it commits, on its own
 * connection: if the append fails the action rolls back, so no action commits without its entry.
 */
@ApplicationScoped
public class AuditTrail {

    private static final Object KEY = new Object();

    private final TransactionSynchronizationRegistry transactions;
    private final AgroalDataSource dataSource;
    private final AuditLogStore store;

    private final Event<AuditWriteFailed> failures;

    public AuditTrail(TransactionSynchronizationRegistry transactions, AgroalDataSource dataSource, AuditLogStore store,
                      Event<AuditWriteFailed> failures) {
        this.failures = failures;
        this.transactions = transactions;
        this.dataSource = dataSource;
        this.store = store;
    }

    /** Records an event in the current transaction; there must be one. */
    public void record(AuditEventType type, Actor actor, String proposalId, String policyRevision, ObjectNode details) {
        if (transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            throw new IllegalStateException("Audit events are recorded inside the transaction of the action they record");
        }
        @SuppressWarnings("unchecked")
        List<AuditEvent> pending = (List<AuditEvent>) transactions.getResource(KEY);
        if (pending == null) {
            pending = new ArrayList<>();
            transactions.putResource(KEY, pending);
            List<AuditEvent> events = pending;
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    flush(events);
                }

                @Override
                public void afterCompletion(int status) {
                    events.clear();
                }
            });
        }
        pending.add(new AuditEvent(type.type(), proposalId, actor.toString(), policyRevision, Instant.now(), details));
    }

    private void flush(List<AuditEvent> events) {
        if (events.isEmpty() || transactions.getRollbackOnly()) {
            return;
        }
        // Inside the transaction Agroal hands out the connection already enlisted in it.
        try (Connection connection = dataSource.getConnection()) {
            store.append(connection, events);
        } catch (SQLException | RuntimeException e) {
            transactions.setRollbackOnly();
            failures.fire(new AuditWriteFailed(String.valueOf(e.getMessage())));
            throw new IllegalStateException("Could not write the audit log; the action is rolled back: " + e.getMessage(), e);
        }
    }
}
