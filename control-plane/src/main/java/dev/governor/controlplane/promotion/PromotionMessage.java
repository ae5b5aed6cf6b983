package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.review.ApprovalStore;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A promotion as it is committed in the outbox and recorded in its audit entry (format
 * {@code governor-promotion/v1}): what was promoted (proposal, content and artifact digests), on
 * which decisions (the one approved and the fresh recheck), under which policy revision and tier,
 * by whose approvals, at which kill-switch epoch. The relay publishes it as the predicate of a
 * signed attestation ({@link PromotionAttestations}).
 */
public record PromotionMessage(UUID promotionId, String proposalId, String loopId, String contentDigest, String artifactSha256,
                               UUID decisionId, UUID recheckDecisionId, String bundleRevision, String tier,
                               int requiredApprovals, OffsetDateTime promotedAt, long killSwitchEpoch, List<Approver> approvals) {

    public static final String FORMAT = "governor-promotion/v1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One approval that counted towards the quorum: the officer's stable subject and display name. */
    public record Approver(String subject, String approver, OffsetDateTime approvedAt, String comment) {

        static Approver of(ApprovalStore.Recorded a) {
            return new Approver(a.approverSubject(), a.approver(), a.approvedAt(), a.comment());
        }
    }

    /** The message as JSON, fields in this order; times as ISO-8601 with their offset. */
    public ObjectNode toNode() {
        ObjectNode node = MAPPER.createObjectNode()
                .put("format", FORMAT)
                .put("promotionId", promotionId.toString())
                .put("proposalId", proposalId)
                .put("loopId", loopId)
                .put("contentDigest", contentDigest)
                .put("artifactSha256", artifactSha256)
                .put("decisionId", decisionId.toString())
                .put("recheckDecisionId", recheckDecisionId.toString())
                .put("bundleRevision", bundleRevision)
                .put("tier", tier)
                .put("requiredApprovals", requiredApprovals)
                .put("promotedAt", promotedAt.toString())
                .put("killSwitchEpoch", killSwitchEpoch);
        ArrayNode list = node.putArray("approvals");
        approvals.forEach(a -> list.addObject().put("subject", a.subject()).put("approver", a.approver())
                .put("approvedAt", a.approvedAt().toString()).put("comment", a.comment()));
        return node;
    }

    public String toJson() {
        return toNode().toString();
    }
}
