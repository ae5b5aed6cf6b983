package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.promotion.PromotionAttestation;

import java.time.Instant;
import java.util.List;

/**
 * Turns a committed promotion (its outbox message) into the signed attestation the relay
 * publishes: the message's facts, the kill-switch epoch the relay checked, and the audit entry
 * that records the promotion at that epoch with its inclusion proof, as the API serves it.
 */
final class PromotionAttestations {

    /** The envelope's JSON (the record value) and the epoch it names, which the relay checks again at the Kafka commit. */
    record Attested(byte[] recordValue, long epoch, long entryIndex) {
    }

    /** The message fields a record must repeat exactly to be taken for the stored promotion. */
    private static final List<String> IDENTITY = List.of("promotionId", "proposalId", "loopId", "contentDigest", "artifactSha256");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Ed25519Signer signer;
    private final String logOrigin;

    PromotionAttestations(Ed25519Signer signer, String logOrigin) {
        this.signer = signer;
        this.logOrigin = logOrigin;
    }

    /**
     * @param message    the outbox message ({@link PromotionMessage#toNode()})
     * @param promotedAt the kill-switch epoch at which the promotion committed
     * @param epoch      the kill-switch epoch, RUNNING, the relay read
     * @param entryType  {@code proposal.promoted}, or {@code promotion.released} when the epoch changed since the promotion
     * @param proof      the inclusion proof of that entry as {@code GET /api/v1/audit/entries/{index}/inclusion} returns it
     */
    Attested attest(JsonNode message, long promotedAt, long epoch, String entryType, JsonNode proof, Instant attestedAt) {
        ObjectNode predicate = MAPPER.createObjectNode();
        IDENTITY.forEach(field -> predicate.put(field, message.path(field).asText()));
        predicate.putObject("decisions").put("approved", message.path("decisionId").asText())
                .put("recheck", message.path("recheckDecisionId").asText());
        predicate.put("policyRevision", message.path("bundleRevision").asText())
                .put("tier", message.path("tier").asText())
                .put("requiredApprovals", message.path("requiredApprovals").asInt())
                .put("promotedAt", message.path("promotedAt").asText());
        message.path("approvals").forEach(a -> predicate.withArray("approvers").addObject()
                .put("subject", a.path("subject").asText(null)).put("name", a.path("approver").asText())
                .put("approvedAt", a.path("approvedAt").asText()));
        predicate.putObject("killSwitch").put("state", "RUNNING").put("epoch", epoch)
                .put("promotedAtEpoch", promotedAt);
        ObjectNode audit = predicate.putObject("audit").put("origin", logOrigin).put("entryIndex", proof.path("leafIndex").asLong())
                .put("entryType", entryType);
        audit.set("proof", proof.deepCopy());
        predicate.put("attestedAt", attestedAt.toString());
        ObjectNode statement = PromotionAttestation.statement(message.path("proposalId").asText(),
                message.path("artifactSha256").asText(), predicate);
        return new Attested(PromotionAttestation.recordValue(PromotionAttestation.sign(signer, statement)), epoch,
                proof.path("leafIndex").asLong());
    }

    /** Whether an authentic statement's predicate is the promotion of this outbox message (same ids, digests and decisions). */
    static boolean describes(JsonNode predicate, JsonNode message) {
        for (String field : IDENTITY) {
            if (!predicate.path(field).asText().equals(message.path(field).asText())) {
                return false;
            }
        }
        return predicate.path("decisions").path("approved").asText().equals(message.path("decisionId").asText())
                && predicate.path("decisions").path("recheck").asText().equals(message.path("recheckDecisionId").asText());
    }
}
