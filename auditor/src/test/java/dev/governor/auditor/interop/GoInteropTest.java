package dev.governor.auditor.interop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.log.InMemoryNodeStore;
import dev.governor.auditor.log.MerkleLog;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Governor's checkpoints and proofs, checked by the Go reference implementations
 * (golang.org/x/mod/sumdb/note and transparency-dev/merkle) in {@code scripts/go-interop}.
 * Skips, saying so, when the {@code go} tool is not on the PATH.
 */
class GoInteropTest {

    private static final String ORIGIN = "governor.dev/audit/interop";
    private static final Path PROGRAM_DIR = Path.of("..", "scripts", "go-interop").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path binary;

    @TempDir
    static Path work;

    @BeforeAll
    static void buildTheGoVerifier() throws Exception {
        Assumptions.assumeTrue(onPath("go"), "the go tool is not on PATH; skipping the Go interoperability checks");
        Assumptions.assumeTrue(Files.exists(PROGRAM_DIR.resolve("go.mod")), "no Go program at " + PROGRAM_DIR);
        binary = work.resolve("go-interop");
        Result build = run(PROGRAM_DIR, 600, "go", "build", "-o", binary.toString(), ".");
        assertThat(build.exitCode()).as("go build failed:\n%s", build.output()).isZero();
    }

    @Test
    void goAcceptsGovernorsSignedCheckpointAndItsInclusionAndConsistencyProofs() throws Exception {
        Bundle bundle = Bundle.create(1000);

        Result result = verify(bundle.json());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("checkpoint verified: origin " + ORIGIN + ", size 1000")
                .contains("inclusion proofs verified: " + bundle.inclusionCount())
                .contains("consistency proofs verified: " + bundle.consistencyCount())
                .contains("OK");
    }

    @Test
    void goRejectsACheckpointWhoseTreeSizeWasTamperedWith() throws Exception {
        Bundle bundle = Bundle.create(1000);
        bundle.json().put("checkpoint", bundle.json().get("checkpoint").asText().replace("\n1000\n", "\n1001\n"));

        Result result = verify(bundle.json());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("opening signed checkpoint").contains("invalid signature");
    }

    @Test
    void goRejectsACheckpointSignedWithAnotherKey() throws Exception {
        Bundle bundle = Bundle.create(20);
        bundle.json().put("verifierKey", NoteSigner.generate(ORIGIN, new SecureRandom()).verifier().verifierKey());

        Result result = verify(bundle.json());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("opening signed checkpoint");
    }

    @Test
    void goRejectsAnInclusionProofForAnotherLeaf() throws Exception {
        Bundle bundle = Bundle.create(300);
        ObjectNode first = (ObjectNode) bundle.json().withArray("inclusion").get(0);
        first.put("leaf", Base64.getEncoder().encodeToString("{\"forged\":true}".getBytes(StandardCharsets.UTF_8)));

        Result result = verify(bundle.json());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("inclusion proof of leaf");
    }

    @Test
    void goRejectsAConsistencyProofWithAFlippedBit() throws Exception {
        Bundle bundle = Bundle.create(300);
        ArrayNode proof = (ArrayNode) bundle.json().withArray("consistency").get(1).get("proof");
        byte[] first = Base64.getDecoder().decode(proof.get(0).asText());
        first[0] ^= 1;
        proof.set(0, Base64.getEncoder().encodeToString(first));

        Result result = verify(bundle.json());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("consistency proof from size");
    }

    private static Result verify(ObjectNode bundle) throws Exception {
        Path file = Files.createTempFile(work, "bundle", ".json");
        JSON.writeValue(file.toFile(), bundle);
        return run(PROGRAM_DIR, 120, binary.toString(), file.toString());
    }

    /** A log of audit-like events, its signed checkpoint and proofs, as the Go program reads them. */
    record Bundle(ObjectNode json, int inclusionCount, int consistencyCount) {

        static Bundle create(int size) {
            NoteSigner key = NoteSigner.generate(ORIGIN, new SecureRandom());
            CheckpointSigner signer = new CheckpointSigner(ORIGIN, key);
            MerkleLog log = new MerkleLog(new InMemoryNodeStore());
            List<byte[]> leaves = new ArrayList<>();
            List<String> earlierCheckpoints = new ArrayList<>();
            List<Long> earlierSizes = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                byte[] leaf = CanonicalJson.canonicalize("{\"type\":\"approval\",\"proposalId\":\"p-" + i
                        + "\",\"actor\":\"officer-" + (i % 7) + "\",\"index\":" + i + "}");
                leaves.add(leaf);
                TreeHead head = log.integrate(i, List.of(TreeHasher.hashLeaf(leaf)));
                if (i + 1 < size && (i + 1) % 97 == 0 || i + 1 == 1 || i + 1 == size / 2) {
                    earlierCheckpoints.add(signer.sign(head));
                    earlierSizes.add(head.size());
                }
            }
            TreeHead head = log.treeHead(size);
            ObjectNode json = JSON.createObjectNode();
            json.put("origin", ORIGIN);
            json.put("verifierKey", key.verifier().verifierKey());
            json.put("checkpoint", signer.sign(head));
            ArrayNode inclusion = json.putArray("inclusion");
            for (long index = 0; index < size; index += Math.max(1, size / 37)) {
                inclusion.add(inclusionEntry(log, leaves, index, size));
            }
            inclusion.add(inclusionEntry(log, leaves, size - 1, size));
            ArrayNode consistency = json.putArray("consistency");
            for (int i = 0; i < earlierSizes.size(); i++) {
                ObjectNode entry = consistency.addObject();
                entry.put("fromCheckpoint", earlierCheckpoints.get(i));
                ArrayNode proof = entry.putArray("proof");
                log.consistencyProof(earlierSizes.get(i), size).hashes().forEach(h -> proof.add(Base64.getEncoder().encodeToString(h)));
            }
            return new Bundle(json, inclusion.size(), consistency.size());
        }

        private static ObjectNode inclusionEntry(MerkleLog log, List<byte[]> leaves, long index, long size) {
            ObjectNode entry = JSON.createObjectNode();
            entry.put("leafIndex", index);
            entry.put("treeSize", size);
            entry.put("leaf", Base64.getEncoder().encodeToString(leaves.get((int) index)));
            ArrayNode proof = entry.putArray("proof");
            log.inclusionProof(index, size).hashes().forEach(h -> proof.add(Base64.getEncoder().encodeToString(h)));
            return entry;
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Path dir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "process", ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
