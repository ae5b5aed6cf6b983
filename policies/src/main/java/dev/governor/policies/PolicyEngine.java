package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Evaluates the {@code rsi.gate} policy: {@code data.rsi.gate.decision} for one proposal.
 *
 * <p>The input is {@code {proposal, lineage, loop, killSwitch, artifact}} as described in
 * {@code policies/README.md}, built by {@link PolicyInput#of}. Implementations are safe to call
 * from several threads.
 */
public interface PolicyEngine extends AutoCloseable {

    /** Path of the decision document, as an OPA data path and as the wasm entrypoint. */
    String DECISION_PATH = "rsi/gate/decision";

    /**
     * Decides on one proposal.
     *
     * @throws PolicyEngineException when the engine cannot evaluate the policy or its result
     *     is not a decision
     */
    default PolicyDecision decide(JsonNode input) {
        return evaluate(input).decision();
    }

    /**
     * Decides on one proposal and tells which bundle revision decided: for an OPA server,
     * whose bundle can change between calls, the revision comes from the same answer.
     *
     * @throws PolicyEngineException as {@link #decide(JsonNode)}
     */
    PolicyEvaluation evaluate(JsonNode input);

    /** The bundle revision: SHA-256 (hex) over the policy sources and data (for a server: the latest seen). */
    String revision();

    /** A short name for logs and metrics, e.g. {@code wasm} or {@code opa-server}. */
    String name();

    @Override
    default void close() {
    }
}
