package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.gate.PolicyActivation;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.intake.IntakeService;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.security.Actor;
import dev.governor.killswitch.state.PauseState;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Promotes a fully approved proposal, inside the transaction that completed its quorum (or that
 * releases it after a resume): the kill switch is read under a shared row lock, so no promotion
 * commits after a pause commits; the current policy bundle decides again and may deny it or send
 * it back to review; then the promotion, its audit entry and its outbox row commit together, and
 * {@link PromotionRelay} publishes the outbox to {@code rsi.promotions}.
 */
@ApplicationScoped
public class PromotionService {

    private static final Logger LOG = Logger.getLogger(PromotionService.class);

    /** One approval that counts: who, when, with what comment. */
    public record Counted(String approverSubject, String approver, OffsetDateTime approvedAt, String comment) {
    }

    private final KillSwitchService killSwitch;
    private final PolicyActivation policies;
    private final IntakeService decider;
    private final AuditTrail audit;
    private final AgroalDataSource dataSource;
    private final EntityManager em;
    private final ObjectMapper mapper;
    private final Event<PromotionRelay.Promoted> promoted;
    private final MeterRegistry registry;

    public PromotionService(KillSwitchService killSwitch, IntakeService decider, AuditTrail audit, AgroalDataSource dataSource,
                            EntityManager em, ObjectMapper mapper, Event<PromotionRelay.Promoted> promoted,
                            MeterRegistry registry, PolicyActivation policies) {
        this.killSwitch = killSwitch;
        this.policies = policies;
        this.decider = decider;
        this.audit = audit;
        this.dataSource = dataSource;
        this.em = em;
        this.mapper = mapper;
        this.promoted = promoted;
        this.registry = registry;
    }

    /** The approvals that count now for the proposal's current decision: unexpired, one per person. */
    public List<Counted> counted(ProposalEntity p) {
        List<Counted> out = new ArrayList<>();
        if (p.decisionId == null) {
            return out;
        }
        em.flush();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select approver_subject, approver, approved_at, comment from approval
                     where proposal_id = ? and decision_id = ? and content_digest = ? and expires_at > now()
                     order by approved_at""")) {
            ps.setString(1, p.proposalId);
            ps.setObject(2, p.decisionId);
            ps.setString(3, p.contentDigest);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Counted(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class), rs.getString(4)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the approvals of " + p.proposalId + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The proposal (locked by the caller) has its quorum: block it while halted, re-decide it, and
     * promote it when the fresh decision still allows. Returns the status it ends in.
     */
    public ProposalStatus promote(ProposalEntity p, List<Counted> approvals, int required, String why) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        PauseState ks = killSwitch.lockForPromotion();
        // The fresh decision below must be made with the revision in force, or not at all (ADR 0007).
        boolean policyInForce = policies.inForce();
        if (!killSwitch.runs(ks) || !policyInForce) {
            boolean already = ProposalStatus.BLOCKED.name().equals(p.status);
            p.status = ProposalStatus.BLOCKED.name();
            p.updatedAt = now;
            if (!already) {
                audit.record(AuditEventType.PROPOSAL_BLOCKED, Actor.SYSTEM, p.proposalId, null, mapper.createObjectNode()
                        .put("killSwitchState", ks.state().name()).put("killSwitchEpoch", ks.epoch())
                        .put("verified", killSwitch.verifies(ks)).put("policyRevisionInForceUsable", policyInForce)
                        .put("approvals", approvals.size()).put("required", required));
                LOG.warnf("Proposal %s is fully approved but BLOCKED: the kill switch is %s (epoch %d), policy revision in force "
                        + "usable here: %s; it promotes once both allow", p.proposalId, ks.state(), ks.epoch(), policyInForce);
            }
            return ProposalStatus.BLOCKED;
        }
        UUID approvedDecision = p.decisionId;
        DecisionEntity fresh = decider.redecide(p, ks, why);
        if ("DENY".equals(fresh.outcome)) {
            p.status = ProposalStatus.REJECTED_BY_POLICY.name();
            p.decisionId = fresh.decisionId;
            p.updatedAt = now;
            audit.record(AuditEventType.PROPOSAL_REDECIDED, Actor.SYSTEM, p.proposalId, fresh.bundleRevision,
                    mapper.createObjectNode().put("outcome", "REJECTED_BY_POLICY").put("approvedDecisionId", approvedDecision.toString())
                            .put("recheckDecisionId", fresh.decisionId.toString())
                            .put("reason", "the policy in force now denies it; it is not promoted"));
            return ProposalStatus.REJECTED_BY_POLICY;
        }
        if (fresh.requiredApprovals > approvals.size()) {
            p.status = ProposalStatus.PENDING_REVIEW.name();
            p.decisionId = fresh.decisionId;
            p.updatedAt = now;
            audit.record(AuditEventType.PROPOSAL_RETURNED_TO_REVIEW, Actor.SYSTEM, p.proposalId, fresh.bundleRevision,
                    mapper.createObjectNode().put("outcome", "PENDING_REVIEW").put("approvedDecisionId", approvedDecision.toString())
                            .put("recheckDecisionId", fresh.decisionId.toString()).put("tier", fresh.tier)
                            .put("required", fresh.requiredApprovals).put("counted", approvals.size())
                            .put("reason", "the policy in force now needs more approvals; approve the new decision"));
            return ProposalStatus.PENDING_REVIEW;
        }
        UUID promotionId = UUID.randomUUID();
        ObjectNode payload = mapper.createObjectNode()
                .put("format", "governor-promotion/v1")
                .put("promotionId", promotionId.toString())
                .put("proposalId", p.proposalId)
                .put("loopId", p.loopId)
                .put("contentDigest", p.contentDigest)
                .put("artifactSha256", artifactSha256(p))
                .put("decisionId", approvedDecision.toString())
                .put("recheckDecisionId", fresh.decisionId.toString())
                .put("bundleRevision", fresh.bundleRevision)
                .put("tier", fresh.tier)
                .put("requiredApprovals", fresh.requiredApprovals)
                .put("promotedAt", now.toString());
        ArrayNode list = payload.putArray("approvals");
        approvals.forEach(a -> list.addObject().put("approver", a.approver()).put("approvedAt", a.approvedAt().toString())
                .put("comment", a.comment()));
        em.flush();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("insert into promotion (proposal_id, promotion_id, approved_decision, "
                    + "recheck_decision, bundle_revision, content_digest, promoted_at) values (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, p.proposalId);
                ps.setObject(2, promotionId);
                ps.setObject(3, approvedDecision);
                ps.setObject(4, fresh.decisionId);
                ps.setString(5, fresh.bundleRevision);
                ps.setString(6, p.contentDigest);
                ps.setObject(7, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("insert into promotion_outbox (promotion_id, proposal_id, payload, "
                    + "created_at) values (?, ?, ?::jsonb, ?)")) {
                ps.setObject(1, promotionId);
                ps.setString(2, p.proposalId);
                ps.setString(3, payload.toString());
                ps.setObject(4, now);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not write the promotion of " + p.proposalId + ": " + e.getMessage(), e);
        }
        p.status = ProposalStatus.PROMOTED.name();
        p.updatedAt = now;
        audit.record(AuditEventType.PROPOSAL_PROMOTED, Actor.SYSTEM, p.proposalId, fresh.bundleRevision, payload.deepCopy()
                .put("why", why).put("killSwitchEpoch", ks.epoch()));
        registry.counter("governor.promotions", "tier", fresh.tier).increment();
        LOG.infof("Proposal %s PROMOTED (promotion %s, %d approvals, %s)", p.proposalId, promotionId, approvals.size(), why);
        promoted.fire(new PromotionRelay.Promoted(promotionId));
        return ProposalStatus.PROMOTED;
    }

    private String artifactSha256(ProposalEntity p) {
        try {
            return mapper.readTree(p.data).path("artifact").path("sha256").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored proposal " + p.proposalId + " is not JSON", e);
        }
    }
}
