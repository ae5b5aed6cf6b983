package dev.governor.policies;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyFloorTest {

    @Test
    void theFloorHoldsEveryCorpusCaseThatDeniesByAFloorRule() {
        List<String> expected = DecisionCorpus.load().stream()
                .filter(c -> c.expected().path("outcome").asText().equals("DENY"))
                .filter(c -> StreamSupport.stream(c.expected().path("rules").spliterator(), false)
                        .anyMatch(r -> PolicyFloor.FLOOR_RULES.contains(r.asText())))
                .map(DecisionCorpus::name).sorted().toList();

        assertThat(PolicyFloor.fromClasspath().cases()).extracting(PolicyFloor.Case::name).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theCommittedPolicyHoldsTheFloor() {
        try (WasmPolicyEngine engine = WasmPolicyEngine.fromClasspath(1)) {
            assertThat(PolicyFloor.fromClasspath().check(engine)).isEmpty();
        }
    }

    @Test
    void aPolicyThatAllowsEverythingFailsEveryCase() {
        PolicyEngine lenient = new PolicyEngine() {
            @Override
            public PolicyEvaluation evaluate(com.fasterxml.jackson.databind.JsonNode input) {
                return new PolicyEvaluation(new PolicyDecision(PolicyDecision.Outcome.REVIEW, PolicyDecision.Tier.STANDARD, 1,
                        List.of(), List.of(), false), "0".repeat(64), "lenient");
            }

            @Override
            public String revision() {
                return "0".repeat(64);
            }

            @Override
            public String name() {
                return "lenient";
            }
        };
        List<PolicyFloor.Failure> failures = PolicyFloor.fromClasspath().check(lenient);
        assertThat(failures).hasSize(PolicyFloor.CASES.size());
        assertThat(failures.get(0).problem()).contains("must be denied");
    }
}
