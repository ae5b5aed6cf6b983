package dev.governor.controlplane.proposal;

/** The states of architecture §5; the database refuses any other. */
public enum ProposalStatus {
    RECEIVED,
    REJECTED_BY_POLICY,
    PENDING_REVIEW,
    REJECTED,
    APPROVED,
    EXPIRED,
    BLOCKED,
    PROMOTED
}
