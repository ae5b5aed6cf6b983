package dev.governor.controlplane.proposal.api;

import dev.governor.controlplane.proposal.ProposalStatus;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.OffsetDateTime;

/**
 * A proposal as the API shows it: state, digest, the proposal itself, the decision made on it, its
 * review (approvals, promotion), and (one proposal only) the signed envelope it came in, so that
 * anyone can check again that its loop's key signed exactly this content.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProposalView(
        String proposalId,
        String loopId,
        String sourceSystem,
        String kind,
        ProposalStatus status,
        String contentDigest,
        OffsetDateTime receivedAt,
        boolean receivedWhilePaused,
        String submittedBy,
        String traceId,
        JsonNode data,
        JsonNode decision,
        JsonNode review,
        JsonNode signature) {
}
