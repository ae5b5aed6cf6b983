package dev.governor.controlplane.review;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.loop.Loop;
import dev.governor.controlplane.loop.LoopRegistry;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.gate.DecisionRepository;
import dev.governor.controlplane.security.Roles;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.time.ZoneOffset;

@ApplicationScoped
public class ReviewService {

    private final ProposalRepository proposals;
    private final DecisionRepository decisions;
    private final ApprovalStore approvals;
    private final Event<QuorumReached> quorum;
    private final AuditTrail audit;
    private final ObjectMapper mapper;
    private final GovernorConfig config;
    private final LoopRegistry loops;

    public ReviewService(ProposalRepository proposals, DecisionRepository decisions, ApprovalStore approvals,
                         Event<QuorumReached> quorum, AuditTrail audit, ObjectMapper mapper, GovernorConfig config, LoopRegistry loops) {
        this.loops = loops;
        this.proposals = proposals;
        this.decisions = decisions;
        this.approvals = approvals;
        this.quorum = quorum;
        this.audit = audit;
        this.mapper = mapper;
        this.config = config;
    }

    /**
     * Records one officer's approval of exactly the decision and content they saw, and announces
     * {@link QuorumReached} when the approvals that count reach the decision's quorum. A refused attempt is
     * audited (its transaction commits the audit entry) and then answered with its problem.
     */
    public void approve(String proposalId, Approval approval, Actor actor, Set<String> roles) {
        ProblemException refused = QuarkusTransaction.requiringNew().call(() -> {
            try {
                approveLocked(proposalId, approval, actor, roles);
                return null;
            } catch (ProblemException e) {
                audit.record(AuditEventType.APPROVAL_REFUSED, actor, proposalExists(proposalId) ? proposalId : null, null,
                        mapper.createObjectNode().put("code", e.code()).put("status", e.status()).put("detail", e.getMessage())
                                .put("digest", approval == null ? null : approval.digest())
                                .put("decisionId", approval == null ? null : approval.decisionId()));
                return e;
            }
        });
        if (refused != null) {
            throw refused;
        }
    }

    private boolean proposalExists(String proposalId) {
        return proposals.findById(proposalId) != null;
    }

    private void approveLocked(String proposalId, Approval approval, Actor actor, Set<String> roles) {
        if (approval == null || approval.digest() == null || approval.decisionId() == null) {
            throw ProblemException.badRequest("approval-incomplete",
                    "An approval names what it approves: give the proposal's contentDigest as digest and its decision's id as "
                            + "decisionId, both as GET /api/v1/proposals/" + proposalId + " shows them");
        }
        if (roles.contains(Roles.ADMIN) || roles.contains(Roles.REGULATOR)) {
            throw new ProblemException(403, "Forbidden", "separation-of-duties",
                    "Separation of duties: an account that also holds admin or regulator cannot approve promotions");
        }
        ProposalEntity p = proposals.findById(proposalId, LockModeType.PESSIMISTIC_WRITE);
        if (p == null) {
            throw ProblemException.notFound("No proposal " + proposalId + " has been received");
        }
        // Stable subjects only: a display name can be changed or shared, a subject cannot.
        if (actor.subject().equals(p.submittedBy)) {
            throw new ProblemException(403, "Forbidden", "self-approval",
                    "Separation of duties: " + actor.username() + " submitted proposal " + proposalId + " and cannot approve it");
        }
        Loop loop = loops.find(p.loopId);
        if (loop != null && loop.ownedBy(actor.subject())) {
            throw new ProblemException(403, "Forbidden", "loop-owner",
                    "Separation of duties: " + actor.username() + " owns loop " + p.loopId + " and cannot approve its proposals");
        }
        if (p.status != ProposalStatus.PENDING_REVIEW) {
            throw new ProblemException(409, "Conflict", "not-pending-review",
                    "Proposal " + proposalId + " is " + p.status + "; only a proposal in PENDING_REVIEW can be approved");
        }
        if (!p.contentDigest.equals(approval.digest()) || p.decisionId == null || !p.decisionId.toString().equals(approval.decisionId())) {
            throw new ProblemException(409, "Conflict", "stale-approval",
                    "This approval names digest " + approval.digest() + " and decision " + approval.decisionId()
                            + ", but proposal " + proposalId + " is now at digest " + p.contentDigest + " and decision " + p.decisionId
                            + ". Review the current decision and approve that one.");
        }
        DecisionEntity decision = decisions.findById(p.decisionId);
        ApprovalStore.Subject subject = new ApprovalStore.Subject(proposalId, p.decisionId, p.contentDigest);
        List<ApprovalStore.Recorded> counted = approvals.counted(subject);
        if (counted.stream().anyMatch(c -> c.approverSubject().equals(actor.subject()))) {
            throw new ProblemException(409, "Conflict", "already-approved",
                    actor.username() + " has already approved decision " + p.decisionId + "; one person counts once ("
                            + counted.size() + " of " + decision.requiredApprovals + " approvals)");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        approvals.record(subject, actor.subject(), actor.toString(), approval.comment(), now, now.plus(config.review().approvalTtl()));
        counted = approvals.counted(subject);
        audit.record(AuditEventType.APPROVAL_RECORDED, actor, proposalId, decision.bundleRevision, mapper.createObjectNode()
                .put("decisionId", p.decisionId.toString()).put("contentDigest", p.contentDigest)
                .put("comment", approval.comment()).put("counted", counted.size()).put("required", decision.requiredApprovals)
                .put("tier", decision.tier));
        if (counted.size() >= decision.requiredApprovals) {
            p.status = ProposalStatus.APPROVED;
            p.updatedAt = now;
            audit.record(AuditEventType.PROPOSAL_APPROVED, actor, proposalId, decision.bundleRevision, mapper.createObjectNode()
                    .put("decisionId", p.decisionId.toString()).put("tier", decision.tier)
                    .put("approvers", String.join(", ", counted.stream().map(ApprovalStore.Recorded::approver).toList())));
            quorum.fire(new QuorumReached(p, counted, decision.requiredApprovals));
        }
    }

    /** One rejection ends the review; the proposal can never be promoted afterwards. */
    @Transactional
    @WithSpan("ReviewService.reject")
    public ProposalEntity reject(String proposalId, String reason, Actor actor) {
        if (reason == null || reason.isBlank()) {
            throw ProblemException.badRequest("reason-required", "A rejection needs a reason: say what is wrong with the proposal");
        }
        ProposalEntity p = proposals.findById(proposalId, LockModeType.PESSIMISTIC_WRITE);
        if (p == null) {
            throw ProblemException.notFound("No proposal " + proposalId + " has been received");
        }
        if (p.status != ProposalStatus.PENDING_REVIEW) {
            throw new ProblemException(409, "Conflict", "not-pending-review",
                    "Proposal " + proposalId + " is " + p.status + "; only a proposal in PENDING_REVIEW can be rejected");
        }
        p.status = ProposalStatus.REJECTED;
        p.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
        audit.record(AuditEventType.PROPOSAL_REJECTED, actor, proposalId, null, mapper.createObjectNode()
                .put("reason", reason.strip())
                .put("contentDigest", p.contentDigest)
                .put("decisionId", p.decisionId == null ? null : p.decisionId.toString()));
        return p;
    }
}
