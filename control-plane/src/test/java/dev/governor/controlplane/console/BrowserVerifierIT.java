package dev.governor.controlplane.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.checkpoint.SignedNote;
import dev.governor.auditor.log.InMemoryNodeStore;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.MerkleLog;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;
import dev.governor.controlplane.testing.Browser;
import dev.governor.controlplane.testing.ProposalMessages;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's own verifier (verify.js, WebCrypto) in the real browser, against what Governor's
 * Java code and the shared signed-note vector say: the same proofs verify, the same signatures
 * verify, and altered ones do not, for any key (a base64 key may hold '+').
 */
@QuarkusTest
class BrowserVerifierIT {

    private static Browser browser;

    @BeforeAll
    static void open() {
        browser = Browser.open("verifier");
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        browser.get("http://127.0.0.1:" + port + "/console/");
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
    }

    /** Runs {@code body} with the module verify.js as {@code v}; arguments[0..] as {@code args}. */
    private static Object run(String body, Object... args) {
        Object[] all = new Object[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        String script = "const done = arguments[arguments.length - 1]; const args = Array.from(arguments).slice(0, -1);"
                + "import('/console/verify.js').then(async v => { " + body + " })"
                + ".then(done, e => done('error: ' + e.message));";
        return browser.driver().executeAsyncScript(script, args);
    }

    @Test
    void theSharedSignedNoteVectorVerifiesAndAnAlteredOneDoesNot() throws Exception {
        String shared = System.getProperty("shared.dir");
        Assumptions.assumeTrue(shared != null, "System property shared.dir is not set (the POM sets it to ../shared); skipping");
        Path vector = Path.of(shared, "test-vectors", "signed-note", "peter-neumann.json");
        Assumptions.assumeTrue(Files.exists(vector), "Shared test vectors not found at " + vector + "; skipping");
        JsonNode v = ProposalMessages.MAPPER.readTree(vector.toFile());
        String note = v.path("signedNote").asText();
        String key = v.path("verifierKey").asText();
        assertThat(run("return await v.verifyNote(v.parseNote(args[0]), args[1]);", note, key)).isEqualTo(true);
        String altered = note.replace("cryptography", "cryptographY");
        assertThat(run("return await v.verifyNote(v.parseNote(args[0]), args[1]);", altered, key)).isEqualTo(false);
    }

    @Test
    void checkpointsSignedByGovernorVerifyForEveryKeyAndOnlyWithTheirKey() {
        SecureRandom random = new SecureRandom();
        List<NoteSigner> signers = new ArrayList<>();
        // Keys whose base64 holds a '+' (about half of them) and keys whose base64 does not: both kinds.
        while (signers.stream().filter(s -> keyPart(s).contains("+")).count() < 3
                || signers.stream().filter(s -> !keyPart(s).contains("+")).count() < 3) {
            signers.add(NoteSigner.generate("governor.local/audit", random));
        }
        NoteSigner other = NoteSigner.generate("governor.local/audit", random);
        String text = "governor.local/audit\n42\n" + Base64.getEncoder().encodeToString(new byte[32]) + "\n";
        for (NoteSigner signer : signers) {
            String note = SignedNote.sign(text, signer);
            String key = signer.verifier().verifierKey();
            assertThat(run("return await v.verifyNote(v.parseCheckpoint(args[0]), args[1]);", note, key)).as(key).isEqualTo(true);
            assertThat(run("return await v.verifyNote(v.parseCheckpoint(args[0]), args[1]);", note, other.verifier().verifierKey()))
                    .as("another key").isEqualTo(false);
            assertThat(run("return await v.verifyNote(v.parseCheckpoint(args[0]), args[1]);", note.replace("\n42\n", "\n43\n"), key))
                    .as("another tree size").isEqualTo(false);
        }
    }

    @Test
    void inclusionProofsOfGovernorsMerkleLogRecomputeItsRootsAndCorruptedOnesDoNot() {
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 37; i++) {
            leaves.add(TreeHasher.hashLeaf(("entry " + i).getBytes(StandardCharsets.UTF_8)));
        }
        log.integrate(0, leaves);
        Base64.Encoder b64 = Base64.getEncoder();
        for (int size = 1; size <= leaves.size(); size++) {
            TreeHead head = log.treeHead(size);
            for (int index = 0; index < size; index++) {
                InclusionProof proof = log.inclusionProof(index, size);
                List<String> path = proof.hashes().stream().map(b64::encodeToString).toList();
                Object root = run("const r = await v.rootFromInclusion(args[0], args[1], v.b64(args[2]), args[3].map(v.b64));"
                        + "return r && v.hex(r);", index, size, b64.encodeToString(leaves.get(index)), path);
                assertThat(root).as("index %d of %d", index, size).isEqualTo(head.rootHashHex());
                if (!path.isEmpty()) {
                    List<String> corrupted = new ArrayList<>(path);
                    corrupted.set(0, b64.encodeToString(TreeHasher.hashLeaf("not in the log".getBytes(StandardCharsets.UTF_8))));
                    Object wrong = run("const r = await v.rootFromInclusion(args[0], args[1], v.b64(args[2]), args[3].map(v.b64));"
                            + "return r && v.hex(r);", index, size, b64.encodeToString(leaves.get(index)), corrupted);
                    assertThat(wrong).as("corrupted proof, index %d of %d", index, size).isNotEqualTo(head.rootHashHex());
                }
            }
        }
    }

    private static String keyPart(NoteSigner signer) {
        String key = signer.verifier().verifierKey();
        return key.substring(key.indexOf('+', key.indexOf('+') + 1) + 1);
    }
}
