package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bundles as opa build -t wasm lays them out: /policy.wasm, /data.json, /.manifest with the revision. */
class WasmBundleTest {

    private static final String REVISION = "ab".repeat(32);

    @Test
    void aBundleIsLoadedWithTheRevisionOfItsManifestAndDecidesWithItsOwnData() throws IOException {
        ObjectNode data = (ObjectNode) DecisionCorpus.JSON.readTree(committed("data.json"));
        ((ObjectNode) data.at("/governor/thresholds/ai_rnd")).put("alert", 0.1);
        JsonNode atPointTwo = input("ai-rnd-below-alert", 0.2);

        try (WasmPolicyEngine committed = WasmPolicyEngine.fromClasspath(1);
             WasmPolicyEngine tighter = WasmPolicyEngine.fromBundle(bundle(committed("policy.wasm"), data, REVISION), 1)) {
            assertThat(tighter.revision()).isEqualTo(REVISION);
            assertThat(tighter.data().at("/governor/thresholds/ai_rnd/alert").asDouble()).isEqualTo(0.1);
            assertThat(committed.decide(atPointTwo).tier()).isEqualTo(PolicyDecision.Tier.STANDARD);
            assertThat(tighter.decide(atPointTwo).tier()).isEqualTo(PolicyDecision.Tier.ELEVATED);
        }
    }

    /** The archive real opa writes (scripts/policy wasm-bundle) loads with the revision of the sources. */
    @Test
    void aBundleBuiltByOpaLoads() throws Exception {
        java.nio.file.Path script = java.nio.file.Path.of("..", "scripts", "policy");
        boolean opa = java.nio.file.Files.isExecutable(java.nio.file.Path.of("..", ".tools", "bin", "opa"));
        org.junit.jupiter.api.Assumptions.assumeTrue(opa, "opa not installed (scripts/install-opa): skipping the opa-built bundle");
        Process build = new ProcessBuilder("bash", script.toString(), "wasm-bundle").redirectErrorStream(true).start();
        String[] printed = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
        assertThat(build.waitFor()).as(String.join("\n", printed)).isZero();
        byte[] archive = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(printed[printed.length - 1]));
        try (WasmPolicyEngine committed = WasmPolicyEngine.fromClasspath(1);
             WasmPolicyEngine built = WasmPolicyEngine.fromBundle(archive, 1)) {
            assertThat(built.revision()).isEqualTo(committed.revision());
            assertThat(PolicyFloor.fromClasspath().check(built)).isEmpty();
        }
    }

    @Test
    void partsMissingOrABadRevisionOrNotATarAreRefusedWithTheReason() throws IOException {
        JsonNode data = DecisionCorpus.JSON.readTree(committed("data.json"));
        Map<String, byte[]> noWasm = new LinkedHashMap<>();
        noWasm.put("/data.json", data.toString().getBytes(StandardCharsets.UTF_8));
        noWasm.put("/.manifest", ("{\"revision\":\"" + REVISION + "\"}").getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> WasmPolicyEngine.fromBundle(TarGz.write(noWasm), 1)).hasMessageContaining("no /policy.wasm");
        assertThatThrownBy(() -> WasmPolicyEngine.fromBundle(bundle(committed("policy.wasm"), data, "v2"), 1))
                .hasMessageContaining("SHA-256 hex digest");
        assertThatThrownBy(() -> WasmPolicyEngine.fromBundle("not a bundle".getBytes(StandardCharsets.UTF_8), 1))
                .hasMessageContaining("not a gzipped tar");
        assertThatThrownBy(() -> WasmPolicyEngine.fromBundle(bundle("\0asm garbage".getBytes(StandardCharsets.UTF_8), data, REVISION), 1))
                .hasMessageContaining("does not serve");
    }

    static byte[] bundle(byte[] wasm, JsonNode data, String revision) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("/data.json", data.toString().getBytes(StandardCharsets.UTF_8));
        files.put("/policy.wasm", wasm);
        files.put("/.manifest", ("{\"revision\":\"" + revision + "\",\"roots\":[\"\"]}").getBytes(StandardCharsets.UTF_8));
        return TarGz.write(files);
    }

    private static byte[] committed(String file) throws IOException {
        try (InputStream in = WasmBundleTest.class.getClassLoader().getResourceAsStream(WasmPolicyEngine.RESOURCE_DIR + file)) {
            return in.readAllBytes();
        }
    }

    private static JsonNode input(String corpusCase, double aiRnd) {
        ObjectNode input = DecisionCorpus.load().stream().filter(c -> c.name().equals(corpusCase)).findFirst().orElseThrow()
                .input().deepCopy();
        input.withArray("/proposal/capabilityEvals").forEach(e -> {
            if (e.path("domain").asText().equals("ai_rnd")) {
                ((ObjectNode) e).put("score", aiRnd);
            }
        });
        return input;
    }
}
