package dev.governor.controlplane.audit;

/** The governance events of architecture §6; {@link #type()} is what the log and its queries carry. */
public enum AuditEventType {
    PROPOSAL_RECEIVED("proposal.received"),
    PROPOSAL_MALFORMED("proposal.malformed"),
    PROPOSAL_CONFLICT("proposal.conflict"),
    POLICY_DECISION("policy.decision"),
    PROPOSAL_REJECTED("proposal.rejected"),
    KILLSWITCH_INITIALISED("killswitch.initialised"),
    KILLSWITCH_PAUSED("killswitch.paused"),
    KILLSWITCH_PAUSE_REAFFIRMED("killswitch.pause-reaffirmed"),
    KILLSWITCH_TRIPPED("killswitch.tripped"),
    KILLSWITCH_RESUME_REQUESTED("killswitch.resume-requested"),
    KILLSWITCH_RESUMED("killswitch.resumed"),
    KILLSWITCH_REFUSED("killswitch.refused"),
    PROPOSAL_REDECIDED("proposal.redecided"),
    APPROVAL_RECORDED("approval.recorded"),
    APPROVAL_REFUSED("approval.refused"),
    PROPOSAL_APPROVED("proposal.approved"),
    PROPOSAL_BLOCKED("proposal.blocked"),
    PROPOSAL_PROMOTED("proposal.promoted"),
    PROMOTION_RELEASED("promotion.released"),
    PROPOSAL_RETURNED_TO_REVIEW("proposal.returned-to-review"),
    PROPOSAL_EXPIRED("proposal.expired"),
    POLICY_ACTIVATED("policy.activated"),
    POLICY_BUNDLE_UPLOADED("policy.bundle-uploaded"),
    POLICY_BUNDLE_REFUSED("policy.bundle-refused"),
    ACCESS_DENIED("access.denied"),
    PROPOSAL_UNAUTHENTICATED("proposal.unauthenticated"),
    LOOP_REGISTERED("loop.registered"),
    LOOP_UPDATED("loop.updated"),
    LOOP_KEY_ADDED("loop.key-added"),
    LOOP_KEY_REVOKED("loop.key-revoked");

    private final String type;

    AuditEventType(String type) {
        this.type = type;
    }

    public String type() {
        return type;
    }
}
