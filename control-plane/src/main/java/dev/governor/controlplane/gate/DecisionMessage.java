package dev.governor.controlplane.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The message published on {@code rsi.decisions}: the fields of OPA's decision log
 * ({@code decision_id}, {@code bundles.<name>.revision}, {@code path}, {@code input_digest},
 * {@code result}, {@code metrics}, {@code timestamp}), the engine, and the proposal it decides.
 */
public record DecisionMessage(UUID decisionId, String proposalId, String path, String bundleName, String bundleRevision,
                              String engine, String inputDigest, JsonNode result, JsonNode metrics, OffsetDateTime timestamp) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The message of a stored decision. */
    public static DecisionMessage of(DecisionEntity d) {
        try {
            return new DecisionMessage(d.decisionId, d.proposalId, d.path, d.bundleName, d.bundleRevision, d.engine, d.inputDigest,
                    MAPPER.readTree(d.result), MAPPER.readTree(d.metrics), d.decidedAt);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored decision " + d.decisionId + " is not valid JSON", e);
        }
    }

    /** The message as JSON, in the field names and order of OPA's decision log. */
    public ObjectNode toNode() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("decision_id", decisionId.toString());
        node.put("proposalId", proposalId);
        node.put("path", path);
        node.putObject("bundles").putObject(bundleName).put("revision", bundleRevision);
        node.put("engine", engine);
        node.put("input_digest", inputDigest);
        node.set("result", result);
        node.set("metrics", metrics);
        node.put("timestamp", timestamp.toString());
        return node;
    }

    public String toJson() {
        return toNode().toString();
    }
}
