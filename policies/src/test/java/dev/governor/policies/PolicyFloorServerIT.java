package dev.governor.policies;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The floor judges the OPA server engine as it judges the wasm engine: the server serving this
 * module's bundle (as TwoEnginesAgreeIT finds it) holds it, and candidates built by opa that game
 * it are refused when an OPA server of their own serves them.
 */
class PolicyFloorServerIT {

    private static final String REVISION = "ef".repeat(32);

    @Test
    void theOpaServerServingThePolicyHoldsTheFloor() {
        try (OpaServerPolicyEngine server = new OpaServerPolicyEngine(URI.create(TwoEnginesAgreeIT.opaUrl()), Duration.ofSeconds(10))) {
            assertThat(PolicyFloor.fromClasspath().check(server)).isEmpty();
        }
    }

    @Test
    void aServedBundleThatSpecialCasesTheCorpusIdsIsRefusedOnTheVariants() throws Exception {
        byte[] bundle = CandidateBundles.build(CandidateBundles.SPECIAL_CASES_THE_CORPUS_IDS, null, false, REVISION);
        List<PolicyFloor.Failure> failures = checkServed(bundle);
        assertThat(failures).hasSize(PolicyFloor.DENY_CASES.size() * PolicyFloor.VARIANTS);
        assertThat(failures).allSatisfy(f -> assertThat(f.name()).contains(" variant "));
    }

    @Test
    void aServedBundleThatLowersTheApprovalsOfATierIsRefused() throws Exception {
        byte[] bundle = CandidateBundles.build(null, CandidateBundles.ONE_APPROVAL_FOR_ELEVATED, false, REVISION);
        List<PolicyFloor.Failure> failures = checkServed(bundle);
        assertThat(failures).isNotEmpty().allSatisfy(f ->
                assertThat(f.problem()).isEqualTo("reviewed at tier elevated with 1 required approval(s), below the floor's 2 for that tier"));
    }

    /** Serves {@code bundle} from an OPA server of its own on a free port and checks the floor against it. */
    private static List<PolicyFloor.Failure> checkServed(byte[] bundle) throws IOException, InterruptedException {
        Path file = Files.createTempFile("candidate-server-bundle", ".tar.gz");
        Files.write(file, bundle);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process opa = new ProcessBuilder(CandidateBundles.OPA.toString(), "run", "--server", "--addr", "127.0.0.1:" + port,
                "--bundle", file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OpaServerPolicyEngine server = new OpaServerPolicyEngine(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(10))) {
            awaitRevision(server, opa);
            return PolicyFloor.fromClasspath().check(server);
        } finally {
            opa.destroy();
            opa.waitFor();
            Files.deleteIfExists(file);
        }
    }

    private static void awaitRevision(OpaServerPolicyEngine server, Process opa) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                assertThat(server.revision()).isEqualTo(REVISION);
                return;
            } catch (PolicyEngineException e) {
                if (!opa.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the OPA server for the candidate did not come up: " + e.getMessage(), e);
                }
                Thread.sleep(100);
            }
        }
    }
}
