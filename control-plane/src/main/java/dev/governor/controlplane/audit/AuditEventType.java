package dev.governor.controlplane.audit;

/** The governance events of architecture §6; {@link #type()} is what the log and its queries carry. */
public enum AuditEventType {
    PROPOSAL_RECEIVED("proposal.received"),
    PROPOSAL_MALFORMED("proposal.malformed"),
    PROPOSAL_CONFLICT("proposal.conflict"),
    POLICY_DECISION("policy.decision"),
    PROPOSAL_REJECTED("proposal.rejected"),
    KILLSWITCH_TRIP_REQUESTED("killswitch.trip-requested"),
    POLICY_ACTIVATED("policy.activated"),
    ACCESS_DENIED("access.denied");

    private final String type;

    AuditEventType(String type) {
        this.type = type;
    }

    public String type() {
        return type;
    }
}
