package dev.governor.controlplane.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.gate.DecisionRepository;
import dev.governor.controlplane.gate.PolicyGate;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.security.Actor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides a batch of intake records in one transaction: every proposal with its decision and
 * audit entries, every refusal with its audit entry, or none of them. The caller commits Kafka
 * offsets only after this returns, so a crash anywhere leaves each proposal decided exactly once.
 */
@ApplicationScoped
public class IntakeService {

    private static final Logger LOG = Logger.getLogger(IntakeService.class);

    private final ProposalRepository proposals;
    private final DecisionRepository decisions;
    private final PolicyGate gate;
    private final AuditTrail audit;
    private final EntityManager em;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Counter received;
    private final Counter duplicates;
    private final Counter haltRequests;

    public IntakeService(ProposalRepository proposals, DecisionRepository decisions, PolicyGate gate, AuditTrail audit,
                         EntityManager em, ObjectMapper mapper, MeterRegistry registry) {
        this.proposals = proposals;
        this.decisions = decisions;
        this.gate = gate;
        this.audit = audit;
        this.em = em;
        this.mapper = mapper;
        this.registry = registry;
        this.received = Counter.builder("governor.intake.proposals").description("Proposals received and decided").register(registry);
        this.duplicates = Counter.builder("governor.intake.duplicates").description("Redelivered or resent proposals, ignored").register(registry);
        this.haltRequests = Counter.builder("governor.killswitch.trip.requests")
                .description("Critical breaches that asked to halt the loop").register(registry);
    }

    /** What the batch left to publish once its transaction has committed. */
    public record Outcome(List<Refusal> refusals, List<DecisionEntity> decisionsToPublish) {
    }

    /** A record for the dead-letter topic, with the reason for its {@code governor-error} header. */
    public record Refusal(IntakeRecord record, String code, String reason) {
    }

    @Transactional
    @WithSpan("IntakeService.decideBatch")
    public Outcome decideBatch(List<IntakeRecord> batch) {
        List<Refusal> refusals = new ArrayList<>();
        List<DecisionEntity> toPublish = new ArrayList<>();
        for (IntakeRecord record : batch) {
            if (record.isMalformed()) {
                refuse(record, record.malformed().code(), record.malformed().reason(), AuditEventType.PROPOSAL_MALFORMED, refusals);
                continue;
            }
            Proposal proposal = record.proposal();
            ProposalEntity existing = proposals.findById(proposal.proposalId());
            if (existing == null) {
                toPublish.add(decideNew(record, proposal));
            } else if (existing.contentDigest.equals(proposal.contentDigest())) {
                duplicates.increment();
                if (existing.decisionId != null) {
                    toPublish.add(decisions.findById(existing.decisionId));
                }
            } else {
                String reason = "conflict: proposal " + proposal.proposalId() + " was already received with digest "
                        + existing.contentDigest + "; this one has digest " + proposal.contentDigest()
                        + ". A proposal id names one content forever: submit changed content under a new id.";
                if (refuse(record, "conflict", reason, AuditEventType.PROPOSAL_CONFLICT, refusals)) {
                    LOG.errorf("ALERT conflicting replay of proposal %s from loop %s (digest %s, first seen %s)",
                            proposal.proposalId(), proposal.loopId(), proposal.contentDigest(), existing.contentDigest);
                }
            }
        }
        return new Outcome(refusals, toPublish);
    }

    private DecisionEntity decideNew(IntakeRecord record, Proposal proposal) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        ProposalEntity entity = new ProposalEntity();
        entity.proposalId = proposal.proposalId();
        entity.loopId = proposal.loopId();
        entity.sourceSystem = proposal.sourceSystem();
        entity.kind = proposal.kind();
        entity.contentDigest = proposal.contentDigest();
        entity.status = ProposalStatus.RECEIVED.name();
        entity.source = proposal.source();
        entity.eventTime = proposal.eventTime();
        entity.data = proposal.data().toString();
        entity.receivedAt = now;
        entity.submittedBy = proposal.submittedBy();
        entity.kafkaPartition = record.partition();
        entity.kafkaOffset = record.offset();
        entity.traceId = record.traceId();
        entity.updatedAt = now;
        proposals.persist(entity);
        audit.record(AuditEventType.PROPOSAL_RECEIVED, Actor.SYSTEM, proposal.proposalId(), null, mapper.createObjectNode()
                .put("loopId", proposal.loopId())
                .put("sourceSystem", proposal.sourceSystem())
                .put("kind", proposal.kind())
                .put("contentDigest", proposal.contentDigest())
                .put("artifactSha256", proposal.data().path("artifact").path("sha256").asText())
                .put("source", proposal.source())
                .put("submittedBy", proposal.submittedBy())
                .put("kafka", record.topic() + "/" + record.partition() + "/" + record.offset()));

        PolicyGate.Decision decision = gate.decide(proposal, context(proposal));
        DecisionEntity stored = store(decision);
        entity.decisionId = decision.decisionId();
        entity.status = (decision.denies() ? ProposalStatus.REJECTED_BY_POLICY : ProposalStatus.PENDING_REVIEW).name();
        audit.record(AuditEventType.POLICY_DECISION, Actor.SYSTEM, proposal.proposalId(), decision.revision(), mapper.createObjectNode()
                .put("decisionId", decision.decisionId().toString())
                .put("path", decision.path())
                .put("inputDigest", decision.inputDigest())
                .put("contentDigest", proposal.contentDigest())
                .put("engine", decision.engine())
                .put("status", entity.status)
                .set("result", decision.result()));
        observeCapabilities(proposal, now);
        if (decision.haltLoop()) {
            haltRequests.increment();
            audit.record(AuditEventType.KILLSWITCH_TRIP_REQUESTED, Actor.SYSTEM, proposal.proposalId(), decision.revision(),
                    mapper.createObjectNode()
                            .put("cause", "critical capability breach")
                            .put("decisionId", decision.decisionId().toString())
                            .set("breaches", decision.result().path("breaches")));
            LOG.errorf("ALERT proposal %s crossed a critical threshold: the loop %s must halt (decision %s)",
                    proposal.proposalId(), proposal.loopId(), decision.decisionId());
        }
        received.increment();
        registry.counter("governor.intake.decisions", "outcome", decision.outcome(), "tier", decision.tier()).increment();
        return stored;
    }

    private PolicyGate.Context context(Proposal proposal) {
        int generations = proposal.data().path("lineage").size();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        select domain, score, observed_at from capability_observation
                        where loop_id = ?1 and observed_at > now() - interval '7 days'
                        order by observed_at""")
                .setParameter(1, proposal.loopId())
                .getResultList();
        List<PolicyGate.CapabilityObservation> history = rows.stream()
                .map(r -> new PolicyGate.CapabilityObservation((String) r[0], ((Number) r[1]).doubleValue(),
                        toOffset(r[2])))
                .toList();
        return new PolicyGate.Context(generations, history, "RUNNING", 0);
    }

    private static OffsetDateTime toOffset(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt;
        }
        if (value instanceof java.time.Instant instant) {
            return instant.atOffset(ZoneOffset.UTC);
        }
        return ((java.sql.Timestamp) value).toInstant().atOffset(ZoneOffset.UTC);
    }

    private void observeCapabilities(Proposal proposal, OffsetDateTime now) {
        for (var eval : proposal.data().path("capabilityEvals")) {
            em.createNativeQuery("insert into capability_observation (loop_id, domain, score, proposal_id, observed_at) values (?1, ?2, ?3, ?4, ?5)")
                    .setParameter(1, proposal.loopId())
                    .setParameter(2, eval.path("domain").asText())
                    .setParameter(3, eval.path("score").asDouble())
                    .setParameter(4, proposal.proposalId())
                    .setParameter(5, now)
                    .executeUpdate();
        }
    }

    private DecisionEntity store(PolicyGate.Decision decision) {
        DecisionEntity e = new DecisionEntity();
        e.decisionId = decision.decisionId();
        e.proposalId = decision.proposalId();
        e.path = decision.path();
        e.bundleName = decision.bundleName();
        e.bundleRevision = decision.revision();
        e.engine = decision.engine();
        e.input = decision.input().toString();
        e.inputDigest = decision.inputDigest();
        e.result = decision.result().toString();
        e.outcome = decision.outcome();
        e.tier = decision.tier();
        e.requiredApprovals = decision.requiredApprovals();
        e.haltLoop = decision.haltLoop();
        e.decidedAt = decision.timestamp();
        e.metrics = decision.metrics().toString();
        decisions.persist(e);
        return e;
    }

    /**
     * Records a refusal once per Kafka position; a redelivered record is sent to the dead-letter
     * topic again (at least once) but neither audited nor counted twice.
     *
     * @return whether this is the first time the record was refused
     */
    private boolean refuse(IntakeRecord record, String code, String reason, AuditEventType type, List<Refusal> refusals) {
        int inserted = em.createNativeQuery("""
                        insert into intake_rejection (topic, kafka_partition, kafka_offset, record_key, code, reason,
                                                      value_sha256, value_bytes, rejected_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, now())
                        on conflict do nothing""")
                .setParameter(1, record.topic())
                .setParameter(2, record.partition())
                .setParameter(3, record.offset())
                .setParameter(4, record.key())
                .setParameter(5, code)
                .setParameter(6, reason)
                .setParameter(7, record.valueSha256())
                .setParameter(8, record.valueBytes())
                .executeUpdate();
        refusals.add(new Refusal(record, code, reason));
        if (inserted == 0) {
            return false;
        }
        ObjectNode details = mapper.createObjectNode()
                .put("code", code)
                .put("reason", reason)
                .put("kafka", record.topic() + "/" + record.partition() + "/" + record.offset())
                .put("recordKey", record.key())
                .put("valueSha256", record.valueSha256())
                .put("valueBytes", record.valueBytes());
        String proposalId = record.proposal() != null ? record.proposal().proposalId() : null;
        audit.record(type, Actor.SYSTEM, proposalId, null, details);
        registry.counter("governor.intake.refused", "reason", code).increment();
        return true;
    }
}
