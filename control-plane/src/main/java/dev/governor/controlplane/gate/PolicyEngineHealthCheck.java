package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.policies.PolicyDecision;
import dev.governor.policies.PolicyEngine;
import dev.governor.policies.PolicyInput;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the engine answers a canary proposal with a decision (a protected-path change must be denied). */
@Readiness
@ApplicationScoped
public class PolicyEngineHealthCheck implements HealthCheck {

    private final PolicyEngine engine;
    private final ObjectNode canary;

    public PolicyEngineHealthCheck(PolicyEngine engine, ObjectMapper mapper) {
        this.engine = engine;
        ObjectNode given = mapper.createObjectNode();
        ObjectNode proposal = given.putObject("proposal");
        proposal.put("proposalId", "health-canary").put("loopId", "health").put("sourceSystem", "custom")
                .put("kind", "code_patch").put("summary", "Health check canary");
        proposal.putObject("artifact").put("sha256", "0".repeat(64)).put("inlineDiff", "");
        proposal.putArray("touchedPaths").add("src/evaluation/harness.py");
        given.putObject("lineage").put("generationsSinceLastPromoted", 0).putArray("capabilityHistory");
        given.putObject("loop").put("loopId", "health").put("sourceSystem", "custom");
        given.putObject("killSwitch").put("state", "RUNNING").put("epoch", 0);
        this.canary = PolicyInput.of(given);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("policy-engine")
                .withData("engine", engine.name());
        try {
            PolicyDecision decision = engine.decide(canary);
            b.withData("revision", engine.revision()).withData("canaryOutcome", decision.toJson().path("outcome").asText());
            return "DENY".equals(decision.toJson().path("outcome").asText()) ? b.up().build()
                    : b.down().withData("error", "the canary change to an evaluator file was not denied").build();
        } catch (RuntimeException e) {
            return b.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
