package dev.governor.controlplane.proposal;

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

    public String loopId() {
        return data.path("loopId").asText();
    }

    public String sourceSystem() {
        return data.path("sourceSystem").asText();
    }

    public String kind() {
        return data.path("kind").asText();
    }
}
