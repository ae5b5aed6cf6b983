package dev.governor.controlplane.proposal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;

/**
 * A proposal that passed intake validation: the CloudEvent's attributes and its {@code data},
 * with the content digest (SHA-256 over the RFC 8785 canonical form of {@code data}).
 */
public record Proposal(
        String proposalId,
        String source,
        OffsetDateTime eventTime,
        ObjectNode data,
        String contentDigest,
        String submittedBy) {

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
