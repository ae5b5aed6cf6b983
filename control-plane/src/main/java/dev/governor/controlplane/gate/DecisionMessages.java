package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The message published on {@code rsi.decisions}: OPA decision-log fields plus the proposal it decides. */
public final class DecisionMessages {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DecisionMessages() {
    }

    public static ObjectNode toNode(DecisionEntity d) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("decision_id", d.decisionId.toString());
        node.put("proposalId", d.proposalId);
        node.put("path", d.path);
        node.putObject("bundles").putObject(d.bundleName).put("revision", d.bundleRevision);
        node.put("engine", d.engine);
        node.put("input_digest", d.inputDigest);
        try {
            node.set("result", MAPPER.readTree(d.result));
            node.set("metrics", MAPPER.readTree(d.metrics));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Stored decision " + d.decisionId + " is not valid JSON", e);
        }
        node.put("timestamp", d.decidedAt.toString());
        return node;
    }

    public static String toJson(DecisionEntity d) {
        return toNode(d).toString();
    }
}
