package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyFloorTest {

    private static final String REVISION = "cd".repeat(32);

    private static PolicyFloor floor;
    private static WasmPolicyEngine committed;

    @BeforeAll
    static void load() {
        floor = PolicyFloor.fromClasspath();
        committed = WasmPolicyEngine.fromClasspath(1);
    }

    @AfterAll
    static void close() {
        committed.close();
    }

    @Test
    void theFloorHoldsEveryCorpusCaseThatDeniesByAFloorRule() {
        List<String> expected = DecisionCorpus.load().stream()
                .filter(c -> c.expected().path("outcome").asText().equals("DENY"))
                .filter(c -> StreamSupport.stream(c.expected().path("rules").spliterator(), false)
                        .anyMatch(r -> PolicyFloor.FLOOR_RULES.contains(r.asText())))
                .map(DecisionCorpus::name).sorted().toList();

        assertThat(floor.cases()).filteredOn(c -> c.outcome() == PolicyDecision.Outcome.DENY)
                .extracting(PolicyFloor.Case::name).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theReviewCasesReachEveryTierInTheCommittedPolicy() {
        Set<PolicyDecision.Tier> tiers = new HashSet<>();
        floor.cases().stream().filter(c -> c.outcome() == PolicyDecision.Outcome.REVIEW).forEach(c -> {
            PolicyDecision decision = committed.decide(c.input());
            assertThat(decision.outcome()).as(c.name()).isEqualTo(PolicyDecision.Outcome.REVIEW);
            tiers.add(decision.tier());
        });
        assertThat(tiers).containsExactlyInAnyOrder(PolicyDecision.Tier.values());
    }

    @Test
    void theMinimumApprovalsPerTierShipWithTheFloor() {
        assertThat(floor.minimumApprovals()).isEqualTo(Map.of(
                PolicyDecision.Tier.STANDARD, 1, PolicyDecision.Tier.ELEVATED, 2, PolicyDecision.Tier.CRITICAL, 3));
    }

    @Test
    void everyCaseRunsUnderOtherProposalLoopAndSourceIds() {
        for (PolicyFloor.Case c : floor.cases()) {
            assertThat(c.inputs()).as(c.name()).hasSize(PolicyFloor.VARIANTS + 1);
            for (String field : List.of("/proposal/proposalId", "/loop/loopId", "/proposal/sourceSystem")) {
                assertThat(c.inputs().stream().map(i -> i.at(field).asText()).distinct().count())
                        .as(c.name() + " " + field).isEqualTo(PolicyFloor.VARIANTS + 1);
            }
        }
    }

    @Test
    void theVariantsAreTheSameOnEveryLoad() {
        assertThat(PolicyFloor.fromClasspath().cases()).isEqualTo(floor.cases());
    }

    @Test
    void theCommittedPolicyDecidesEveryVariantAsTheCaseAsWritten() {
        for (PolicyFloor.Case c : floor.cases()) {
            PolicyDecision asWritten = committed.decide(c.input());
            for (JsonNode variant : c.inputs()) {
                PolicyDecision decision = committed.decide(variant);
                assertThat(decision.outcome()).as(c.name()).isEqualTo(asWritten.outcome());
                assertThat(decision.tier()).as(c.name()).isEqualTo(asWritten.tier());
                assertThat(decision.haltLoop()).as(c.name()).isEqualTo(asWritten.haltLoop());
                assertThat(decision.violations()).extracting(PolicyDecision.Violation::rule).as(c.name())
                        .isEqualTo(asWritten.violations().stream().map(PolicyDecision.Violation::rule).toList());
            }
        }
    }

    @Test
    void theCommittedPolicyHoldsTheFloor() {
        assertThat(floor.check(committed)).isEmpty();
    }

    @Test
    void aPolicyThatAllowsEverythingFailsEveryDenyCaseInEveryVariant() {
        PolicyEngine lenient = answering(new PolicyDecision(PolicyDecision.Outcome.REVIEW, PolicyDecision.Tier.STANDARD, 1,
                List.of(), List.of(), false));
        List<PolicyFloor.Failure> failures = floor.check(lenient);
        assertThat(failures).hasSize(PolicyFloor.DENY_CASES.size() * (PolicyFloor.VARIANTS + 1));
        assertThat(failures.get(0).problem()).contains("must be denied");
    }

    @Test
    void aBundleThatSpecialCasesTheCorpusIdsIsRefusedOnTheVariants() {
        byte[] archive = CandidateBundles.build(CandidateBundles.SPECIAL_CASES_THE_CORPUS_IDS, null, true, REVISION);
        try (WasmPolicyEngine gamed = WasmPolicyEngine.fromBundle(archive, 1)) {
            for (PolicyFloor.Case c : floor.cases()) {
                assertThat(gamed.decide(c.input())).as("the case as written, " + c.name()).isEqualTo(committed.decide(c.input()));
            }
            List<PolicyFloor.Failure> failures = floor.check(gamed);
            assertThat(failures).hasSize(PolicyFloor.DENY_CASES.size() * PolicyFloor.VARIANTS);
            assertThat(failures).allSatisfy(f -> {
                assertThat(f.name()).contains(" variant ");
                assertThat(f.problem()).contains("must be denied");
            });
        }
    }

    @Test
    void aBundleThatLowersTheApprovalsOfATierIsRefused() {
        List<PolicyFloor.Failure> failures = failuresWithData(d -> tier(d, "elevated", 1));
        assertThat(failures).isNotEmpty().allSatisfy(f ->
                assertThat(f.problem()).isEqualTo("reviewed at tier elevated with 1 required approval(s), below the floor's 2 for that tier"));
        assertThat(failures).extracting(f -> f.name().split(" ")[0]).containsOnly(
                "ai-rnd-at-alert", "ai-rnd-just-below-critical", "cbrn-alert", "cyber-alert-persuasion-below",
                "training-recipe-without-recipe-text");

        assertThat(failuresWithData(d -> tier(d, "critical", 2)))
                .extracting(f -> f.name().split(" ")[0]).containsOnly("rate-above-limit", "rate-history-at-window-edge");
        assertThat(failuresWithData(d -> tier(d, "standard", 0)))
                .extracting(f -> f.name().split(" ")[0]).containsOnly("clean-code-patch", "checkpoint-every-domain-evaluated");
    }

    @Test
    void aBundleThatRaisesApprovalsOrDeniesMoreHoldsTheFloor() {
        assertThat(failuresWithData(d -> {
            tier(d, "standard", 2);
            tier(d, "critical", 4);
        })).isEmpty();
        assertThat(failuresWithData(d -> ((ObjectNode) d.at("/governor/thresholds/ai_rnd")).put("critical", 0.5))).isEmpty();
    }

    private static void tier(JsonNode data, String tier, int approvals) {
        ((ObjectNode) data.at("/governor/tiers/" + tier)).put("requiredApprovals", approvals);
    }

    /** The floor's verdict on the committed policy with its data changed, as an admin could upload it. */
    private static List<PolicyFloor.Failure> failuresWithData(Consumer<JsonNode> change) {
        try (InputStream wasm = resource("policy.wasm"); InputStream data = resource("data.json")) {
            JsonNode changed = DecisionCorpus.JSON.readTree(data);
            change.accept(changed);
            try (WasmPolicyEngine candidate = WasmPolicyEngine.fromBundle(WasmBundleTest.bundle(wasm.readAllBytes(), changed, REVISION), 1)) {
                return floor.check(candidate);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InputStream resource(String file) {
        return PolicyFloorTest.class.getClassLoader().getResourceAsStream(WasmPolicyEngine.RESOURCE_DIR + file);
    }

    private static PolicyEngine answering(PolicyDecision decision) {
        return new PolicyEngine() {
            @Override
            public PolicyEvaluation evaluate(JsonNode input) {
                return new PolicyEvaluation(decision, "0".repeat(64), "fixed");
            }

            @Override
            public String revision() {
                return "0".repeat(64);
            }

            @Override
            public String name() {
                return "fixed";
            }
        };
    }
}
