package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.gate.DecisionRecorder;
import dev.governor.controlplane.gate.PolicyActivation;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.review.ApprovalStore;
import dev.governor.controlplane.review.QuorumReached;
import dev.governor.controlplane.security.Actor;
import dev.governor.killswitch.state.PauseState;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    private final KillSwitchService killSwitch;
    private final PolicyActivation policies;
    private final DecisionRecorder recorder;
    private final PromotionStore store;
    private final AuditTrail audit;
    private final EntityManager em;
    private final ObjectMapper mapper;
    private final Event<PromotionRelay.Promoted> promoted;
    private final MeterRegistry registry;

    public PromotionService(KillSwitchService killSwitch, PolicyActivation policies, DecisionRecorder recorder, PromotionStore store,
                            AuditTrail audit, EntityManager em, ObjectMapper mapper, Event<PromotionRelay.Promoted> promoted,
                            MeterRegistry registry) {
        this.killSwitch = killSwitch;
        this.policies = policies;
        this.recorder = recorder;
        this.store = store;
        this.audit = audit;
        this.em = em;
        this.mapper = mapper;
        this.promoted = promoted;
        this.registry = registry;
    }

    /** The quorum a review announced: promote, in the approving transaction. */
    void onQuorum(@Observes QuorumReached quorum) {
        promote(quorum.proposal(), quorum.counted(), quorum.required(), "quorum reached");
    }

    /**
     * The proposal (locked by the caller) has its quorum: block it while halted, re-decide it, and
     * promote it when the fresh decision still allows. Returns the status it ends in.
     */
    public ProposalStatus promote(ProposalEntity p, List<ApprovalStore.Recorded> approvals, int required, String why) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        PauseState ks = killSwitch.lockForPromotion();
        // The fresh decision below must be made with the revision in force, or not at all (ADR 0007).
        boolean policyInForce = policies.inForce();
        if (!killSwitch.runs(ks) || !policyInForce) {
            boolean already = p.status == ProposalStatus.BLOCKED;
            p.status = ProposalStatus.BLOCKED;
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
        DecisionEntity fresh = recorder.redecide(p, ks, why);
        if ("DENY".equals(fresh.outcome)) {
            p.status = ProposalStatus.REJECTED_BY_POLICY;
            p.decisionId = fresh.decisionId;
            p.updatedAt = now;
            audit.record(AuditEventType.PROPOSAL_REDECIDED, Actor.SYSTEM, p.proposalId, fresh.bundleRevision,
                    mapper.createObjectNode().put("outcome", "REJECTED_BY_POLICY").put("approvedDecisionId", approvedDecision.toString())
                            .put("recheckDecisionId", fresh.decisionId.toString())
                            .put("reason", "the policy in force now denies it; it is not promoted"));
            return ProposalStatus.REJECTED_BY_POLICY;
        }
        if (fresh.requiredApprovals > approvals.size()) {
            p.status = ProposalStatus.PENDING_REVIEW;
            p.decisionId = fresh.decisionId;
            p.updatedAt = now;
            audit.record(AuditEventType.PROPOSAL_RETURNED_TO_REVIEW, Actor.SYSTEM, p.proposalId, fresh.bundleRevision,
                    mapper.createObjectNode().put("outcome", "PENDING_REVIEW").put("approvedDecisionId", approvedDecision.toString())
                            .put("recheckDecisionId", fresh.decisionId.toString()).put("tier", fresh.tier)
                            .put("required", fresh.requiredApprovals).put("counted", approvals.size())
                            .put("reason", "the policy in force now needs more approvals; approve the new decision"));
            return ProposalStatus.PENDING_REVIEW;
        }
        PromotionMessage message = new PromotionMessage(UUID.randomUUID(), p.proposalId, p.loopId, p.contentDigest,
                Proposal.stored(p, mapper).data().path("artifact").path("sha256").asText(), approvedDecision, fresh.decisionId,
                fresh.bundleRevision, fresh.tier, fresh.requiredApprovals, now, ks.epoch(),
                approvals.stream().map(PromotionMessage.Approver::of).toList());
        em.flush(); // the fresh decision's row first: the promotion names it
        store.insert(message);
        p.status = ProposalStatus.PROMOTED;
        p.updatedAt = now;
        audit.record(AuditEventType.PROPOSAL_PROMOTED, Actor.SYSTEM, p.proposalId, fresh.bundleRevision, message.toNode()
                .put("why", why));
        registry.counter("governor.promotions", "tier", fresh.tier).increment();
        LOG.infof("Proposal %s PROMOTED (promotion %s, %d approvals, %s)", p.proposalId, message.promotionId(), approvals.size(), why);
        promoted.fire(new PromotionRelay.Promoted(message.promotionId()));
        return ProposalStatus.PROMOTED;
    }
}
