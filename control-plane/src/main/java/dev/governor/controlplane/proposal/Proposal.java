package dev.governor.controlplane.proposal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;

/**
 * A proposal that passed intake validation: the CloudEvent's attributes and its {@code data},
 * with the content digest (SHA-256 over the RFC 8785 canonical form of {@code data}), who
 * submitted it as Governor established it, and the signed envelope that established it.
 *
 * @param submittedBy a stable subject: {@code loop:<loopId>} for a loop's signed proposal, the
 *                    token's subject for one submitted over HTTP
 * @param provenance  the signature that identified the sender; null only for proposals read back
 *                    from the store or built by tests
 */
public record Proposal(
        String proposalId,
        String source,
        OffsetDateTime eventTime,
        ObjectNode data,
        String contentDigest,
        String submittedBy,
        Provenance provenance) {

    /** A proposal without provenance (read back from the store, or built by tests). */
    public Proposal(String proposalId, String source, OffsetDateTime eventTime, ObjectNode data, String contentDigest, String submittedBy) {
        this(proposalId, source, eventTime, data, contentDigest, submittedBy, null);
    }

    /**
     * The signature that identified a proposal's sender.
     *
     * @param signedBy      {@code loop-key} or {@code governor-api}
     * @param keyId         the key whose signature verified
     * @param signature     that signature, base64
     * @param payloadType   the envelope's payload type
     * @param payloadSha256 hex SHA-256 of the exact payload bytes signed
     * @param envelope      the envelope as received, JSON
     */
    public record Provenance(String signedBy, String keyId, String signature, String payloadType, String payloadSha256,
                             String envelope) {
    }

    /** The proposal as intake stored it. */
    public static Proposal stored(ProposalEntity p, ObjectMapper mapper) {
        try {
            return new Proposal(p.proposalId, p.source, p.eventTime, (ObjectNode) mapper.readTree(p.data), p.contentDigest,
                    p.submittedBy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored proposal " + p.proposalId + " is not JSON", e);
        }
    }

    public String loopId() {
        return data.path("loopId").asText();
    }

    public String sourceSystem() {
        return data.path("sourceSystem").asText();
    }

    /** The proposal it was derived from, as the loop names it; null for a root. */
    public String parentId() {
        return data.path("parentId").isTextual() ? data.path("parentId").asText() : null;
    }

    public String kind() {
        return data.path("kind").asText();
    }
}
