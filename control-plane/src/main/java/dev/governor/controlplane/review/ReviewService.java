package dev.governor.controlplane.review;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.security.Actor;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

@ApplicationScoped
public class ReviewService {

    private final ProposalRepository proposals;
    private final AuditTrail audit;
    private final ObjectMapper mapper;

    public ReviewService(ProposalRepository proposals, AuditTrail audit, ObjectMapper mapper) {
        this.proposals = proposals;
        this.audit = audit;
        this.mapper = mapper;
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
        if (!ProposalStatus.PENDING_REVIEW.name().equals(p.status)) {
            throw new ProblemException(409, "Conflict", "not-pending-review",
                    "Proposal " + proposalId + " is " + p.status + "; only a proposal in PENDING_REVIEW can be rejected");
        }
        p.status = ProposalStatus.REJECTED.name();
        p.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
        audit.record(AuditEventType.PROPOSAL_REJECTED, actor, proposalId, null, mapper.createObjectNode()
                .put("reason", reason.strip())
                .put("contentDigest", p.contentDigest)
                .put("decisionId", p.decisionId == null ? null : p.decisionId.toString()));
        return p;
    }
}
