package dev.governor.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The in-process wasm engine and a real OPA server give the same decisions, from the same
 * bundle revision, for the whole corpus. Needs an OPA server serving
 * {@code scripts/policy server-bundle} at {@code governor.opa.url} (system property),
 * {@code GOVERNOR_OPA_URL} (environment) or http://127.0.0.1:8181.
 */
class TwoEnginesAgreeIT {

    private static WasmPolicyEngine wasm;
    private static OpaServerPolicyEngine server;

    @BeforeAll
    static void startEngines() {
        wasm = WasmPolicyEngine.fromClasspath(2);
        server = new OpaServerPolicyEngine(URI.create(opaUrl()), Duration.ofSeconds(10));
    }

    @AfterAll
    static void closeEngines() {
        wasm.close();
        server.close();
    }

    static String opaUrl() {
        String property = System.getProperty("governor.opa.url", "");
        if (!property.isBlank()) {
            return property;
        }
        String env = System.getenv("GOVERNOR_OPA_URL");
        return env == null || env.isBlank() ? "http://127.0.0.1:8181" : env;
    }

    static List<DecisionCorpus> corpus() {
        return DecisionCorpus.load();
    }

    @Test
    void serverServesTheSameRevisionAsTheCommittedWasmBuild() {
        assertThat(server.revision()).isEqualTo(wasm.revision());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void bothEnginesGiveTheSameDecision(DecisionCorpus c) {
        PolicyEvaluation wasmEvaluation = wasm.evaluate(c.input());
        PolicyEvaluation serverEvaluation = server.evaluate(c.input());
        PolicyDecision fromWasm = wasmEvaluation.decision();
        PolicyDecision fromServer = serverEvaluation.decision();

        assertThat(fromServer).isEqualTo(fromWasm);
        assertThat(fromServer.toJson()).isEqualTo(fromWasm.toJson());
        assertThat(serverEvaluation.revision()).as("revision reported with the decision").isEqualTo(wasm.revision());
        assertThat(wasmEvaluation.revision()).isEqualTo(wasm.revision());
        assertThat(fromWasm.outcome().name()).isEqualTo(c.expected().get("outcome").asText());
    }
}
