package dev.governor.controlplane.review;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The approvals officers gave (table {@code approval}), and the one rule of which of them count
 * towards a quorum: an approval counts while it is unexpired, and only for the decision and the
 * content digest it named; one person counts once per decision. Everything that counts approvals
 * (the quorum, the release of a blocked proposal, the review queue, the proposal page) asks here.
 */
public interface ApprovalStore {

    /** What an approval is of: one proposal, at one policy decision and one content digest. */
    record Subject(String proposalId, UUID decisionId, String contentDigest) {
    }

    /** One person's approval of a subject's decision, and whether it counts now. */
    record Recorded(String proposalId, UUID decisionId, String contentDigest, String approverSubject, String approver,
                    String comment, OffsetDateTime approvedAt, OffsetDateTime expiresAt, boolean counts) {
    }

    /**
     * Records one person's approval of the subject, in the caller's transaction; a person who
     * approves the same decision again renews their approval (time, expiry, comment).
     */
    void record(Subject subject, String approverSubject, String approver, String comment, OffsetDateTime approvedAt,
                OffsetDateTime expiresAt);

    /**
     * Per proposal id, every approval of its subject's decision, oldest first, each saying whether
     * it counts now; proposals without any are left out.
     */
    Map<String, List<Recorded>> approvals(Collection<Subject> subjects);

    /** The approvals that count now for the subject, oldest first. */
    default List<Recorded> counted(Subject subject) {
        return approvals(List.of(subject)).getOrDefault(subject.proposalId(), List.of()).stream().filter(Recorded::counts).toList();
    }
}
