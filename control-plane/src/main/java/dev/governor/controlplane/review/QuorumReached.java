package dev.governor.controlplane.review;

import dev.governor.controlplane.proposal.ProposalEntity;

import java.util.List;

/**
 * Announced, synchronously and inside the approving transaction, when the approvals that count
 * reach the decision's quorum; the proposal is locked and APPROVED. Promotion observes it.
 */
public record QuorumReached(ProposalEntity proposal, List<ApprovalStore.Recorded> counted, int required) {
}
