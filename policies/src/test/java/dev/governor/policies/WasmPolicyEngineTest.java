package dev.governor.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.policies.PolicyDecision.Breach;
import dev.governor.policies.PolicyDecision.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WasmPolicyEngineTest {

    private static WasmPolicyEngine engine;

    @BeforeAll
    static void loadEngine() {
        engine = WasmPolicyEngine.fromClasspath(2);
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    static List<DecisionCorpus> corpus() {
        return DecisionCorpus.load();
    }

    @Test
    void corpusCoversEveryRuleWithEnoughCases() {
        List<DecisionCorpus> cases = corpus();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
        List<String> expectedRules = new ArrayList<>();
        cases.forEach(c -> c.expected().get("rules").forEach(r -> expectedRules.add(r.asText())));
        assertThat(expectedRules).contains(
                "evaluator_tamper", "unpinned_evaluator", "capability_critical", "unknown_capability_domain",
                "rate_of_improvement", "unreviewed_lineage", "regression", "size_limit", "shape", "kill_switch");
        assertThat(cases).anySatisfy(c -> assertThat(c.expected().get("outcome").asText()).isEqualTo("REVIEW"));
        assertThat(cases).anySatisfy(c -> assertThat(c.expected().get("tier").asText()).isEqualTo("elevated"));
        assertThat(cases).anySatisfy(c -> assertThat(c.expected().get("haltLoop").asBoolean()).isTrue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusInputGetsItsExpectedDecision(DecisionCorpus c) {
        PolicyDecision decision = engine.decide(c.input());
        JsonNode expected = c.expected();

        assertThat(decision.outcome().name()).as("outcome").isEqualTo(expected.get("outcome").asText());
        assertThat(decision.tier().jsonName()).as("tier").isEqualTo(expected.get("tier").asText());
        assertThat(decision.requiredApprovals()).as("requiredApprovals").isEqualTo(expected.get("requiredApprovals").asInt());
        assertThat(decision.haltLoop()).as("haltLoop").isEqualTo(expected.get("haltLoop").asBoolean());
        List<String> expectedRules = new ArrayList<>();
        expected.get("rules").forEach(r -> expectedRules.add(r.asText()));
        assertThat(decision.violations()).extracting(Violation::rule).as("violated rules").containsExactlyElementsOf(expectedRules);
        assertThat(decision.violations()).allSatisfy(v -> assertThat(v.message()).isNotBlank());
        List<String> expectedSignals = new ArrayList<>();
        expected.path("signals").forEach(e -> expectedSignals.add(e.get("rule").asText() + " " + e.get("file").asText() + ":" + e.get("line").asLong()));
        assertThat(decision.signals()).extracting(sig -> sig.rule() + " " + sig.file() + ":" + sig.line()).as("signals")
                .containsExactlyElementsOf(expectedSignals);
        List<Breach> breaches = decision.breaches();
        assertThat(breaches).as("breaches").hasSize(expected.get("breaches").size());
        for (int i = 0; i < breaches.size(); i++) {
            JsonNode e = expected.get("breaches").get(i);
            Breach b = breaches.get(i);
            assertThat(b.domain()).isEqualTo(e.get("domain").asText());
            assertThat(b.level().jsonName()).isEqualTo(e.get("level").asText());
            assertThat(b.score()).isEqualTo(e.get("score").asDouble());
            assertThat(b.threshold()).isEqualTo(e.get("threshold").asDouble());
            assertThat(b.framework()).isNotBlank();
        }
    }

    @Test
    void criticalBreachNamesTheFrameworkItFollows() {
        DecisionCorpus critical = caseNamed("ai-rnd-at-critical");
        Breach breach = engine.decide(critical.input()).breaches().get(0);
        assertThat(breach.framework())
                .contains("Anthropic RSP AI R&D-5")
                .contains("OpenAI Preparedness Framework v2 AI self-improvement Critical")
                .contains("Google DeepMind Frontier Safety Framework ML R&D automation level 1");
    }

    @Test
    void decisionRoundTripsThroughItsJsonForm() {
        PolicyDecision decision = engine.decide(caseNamed("everything-wrong").input());
        ObjectNode json = decision.toJson();
        assertThat(json.get("outcome").asText()).isEqualTo("DENY");
        assertThat(json.get("tier").asText()).isEqualTo("critical");
        assertThat(PolicyDecision.fromJson(json)).isEqualTo(decision);
    }

    @Test
    void revisionIsTheShaOfTheSourcesItWasBuiltFrom() throws Exception {
        Path policies = Path.of(System.getProperty("governor.policies.dir", "."));
        assertThat(engine.revision()).matches("[0-9a-f]{64}").isEqualTo(sourceRevision(policies));
    }

    @Test
    void enginesShareThePoolAcrossThreads() throws Exception {
        List<DecisionCorpus> cases = corpus();
        List<PolicyDecision> sequential = cases.stream().map(c -> engine.decide(c.input())).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PolicyDecision>> futures = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (DecisionCorpus c : cases) {
                    futures.add(pool.submit(() -> engine.decide(c.input())));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(sequential.get(i % cases.size()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void malformedResultIsRejectedWithTheFieldNamed() {
        ObjectNode json = engine.decide(caseNamed("clean-code-patch").input()).toJson();
        json.put("outcome", "ALLOW");
        assertThatThrownBy(() -> PolicyDecision.fromJson(json))
                .isInstanceOf(PolicyEngineException.class)
                .hasMessageContaining("'outcome'")
                .hasMessageContaining("ALLOW");
        json.put("outcome", "REVIEW").remove("violations");
        assertThatThrownBy(() -> PolicyDecision.fromJson(json)).hasMessageContaining("'violations'");
    }

    @Test
    void closedEngineRefusesToDecide() {
        WasmPolicyEngine own = WasmPolicyEngine.fromClasspath(1);
        JsonNode input = caseNamed("clean-code-patch").input();
        assertThat(own.decide(input).outcome()).isEqualTo(PolicyDecision.Outcome.REVIEW);
        own.close();
        assertThatThrownBy(() -> own.decide(input))
                .isInstanceOf(PolicyEngineException.class)
                .hasMessageContaining("closed");
    }

    private static DecisionCorpus caseNamed(String name) {
        return corpus().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** The revision as scripts/policy defines it, recomputed here from the checked-out sources. */
    static String sourceRevision(Path policies) throws IOException, java.security.NoSuchAlgorithmException {
        List<String> files;
        try (Stream<Path> walk = Stream.concat(Files.walk(policies.resolve("rsi")), Files.walk(policies.resolve("data")))) {
            files = walk.filter(Files::isRegularFile)
                    .map(p -> policies.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.endsWith(".json") || (p.endsWith(".rego") && !p.endsWith("_test.rego")))
                    .sorted()
                    .toList();
        }
        StringBuilder listing = new StringBuilder();
        for (String file : files) {
            byte[] content = Files.readAllBytes(policies.resolve(file));
            listing.append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)))
                    .append("  ").append(file).append('\n');
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(listing.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
