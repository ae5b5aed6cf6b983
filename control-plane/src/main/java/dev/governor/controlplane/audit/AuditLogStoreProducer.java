package dev.governor.controlplane.audit;

import dev.governor.auditor.store.AuditLogStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The auditor module is plain Java; this makes its PostgreSQL store a bean. */
public class AuditLogStoreProducer {

    @Produces
    @Singleton
    AuditLogStore store() {
        return new AuditLogStore();
    }
}
