package dev.governor.controlplane.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.security.Actor;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Records a refused governance action (an authenticated caller without the role) in the log,
 * in a transaction of its own: the refusal itself changes nothing else.
 */
@ApplicationScoped
public class AccessDeniedAudit {

    private static final Logger LOG = Logger.getLogger(AccessDeniedAudit.class);

    private final AuditTrail audit;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;

    public AccessDeniedAudit(AuditTrail audit, ObjectMapper mapper, MeterRegistry registry) {
        this.audit = audit;
        this.mapper = mapper;
        this.registry = registry;
    }

    public void record(Actor actor, String method, String path, String proposalId) {
        registry.counter("governor.access.denied", "method", method).increment();
        try {
            QuarkusTransaction.requiringNew().run(() -> audit.record(AuditEventType.ACCESS_DENIED, actor, proposalId, null,
                    mapper.createObjectNode().put("method", method).put("path", path)));
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not audit the refused %s %s by %s", method, path, actor);
        }
    }
}
