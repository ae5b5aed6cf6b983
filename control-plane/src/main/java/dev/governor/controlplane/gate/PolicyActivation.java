package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.security.Actor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Puts a bundle revision into force in the audit log: when Governor starts with a revision other
 * than the last one recorded, a {@code policy.activated} entry names the old and the new one, so
 * every decision's revision can be traced to when and how it came into force.
 */
@ApplicationScoped
public class PolicyActivation {

    private static final Logger LOG = Logger.getLogger(PolicyActivation.class);

    private final PolicyGate gate;
    private final AuditTrail audit;
    private final EntityManager em;
    private final ObjectMapper mapper;

    public PolicyActivation(PolicyGate gate, AuditTrail audit, EntityManager em, ObjectMapper mapper) {
        this.gate = gate;
        this.audit = audit;
        this.em = em;
        this.mapper = mapper;
    }

    void onStart(@Observes StartupEvent event) {
        QuarkusTransaction.requiringNew().run(() -> {
            @SuppressWarnings("unchecked")
            List<String> last = em.createNativeQuery("""
                    select policy_revision from audit_entry where event_type = ?1
                    order by entry_index desc limit 1""")
                    .setParameter(1, AuditEventType.POLICY_ACTIVATED.type())
                    .getResultList();
            String previous = last.isEmpty() ? null : last.get(0);
            if (gate.revision().equals(previous)) {
                return;
            }
            audit.record(AuditEventType.POLICY_ACTIVATED, Actor.SYSTEM, null, gate.revision(), mapper.createObjectNode()
                    .put("engine", gate.engineName())
                    .put("bundle", PolicyGate.BUNDLE_NAME)
                    .put("previousRevision", previous)
                    .put("how", "deployment: the revision Governor started with"));
            LOG.infof("Policy bundle %s revision %s is now in force (was %s)", PolicyGate.BUNDLE_NAME, gate.revision(), previous);
        });
    }
}
