package dev.governor.policies;

import java.util.Objects;

/**
 * A decision together with the bundle revision that produced it, read from the same
 * evaluation: what the control plane stores with every decision (ARCHITECTURE.md section 4).
 */
public record PolicyEvaluation(PolicyDecision decision, String revision, String engine) {

    public PolicyEvaluation {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(engine, "engine");
    }
}
