package dev.governor.auditor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.evidence.EvidenceJson;
import dev.governor.auditor.evidence.ExportedEntry;
import dev.governor.auditor.log.InMemoryNodeStore;
import dev.governor.auditor.log.MerkleLog;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.store.AuditEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerifyTest {

    private static final String ORIGIN = "governor.dev/audit/cli-test";

    @TempDir
    Path dir;

    private final NoteSigner key = NoteSigner.generate(ORIGIN, new SecureRandom());
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path export;
    private Path checkpoint;
    private Path older;
    private Path proof;
    private List<String> lines;

    @BeforeEach
    void writeALogExport() throws Exception {
        CheckpointSigner signer = new CheckpointSigner(ORIGIN, key);
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        lines = new ArrayList<>();
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] leaf = new AuditEvent("approval", "p-" + i, "alice", null, Instant.parse("2026-11-25T10:00:00Z"), null).leaf();
            hashes.add(TreeHasher.hashLeaf(leaf));
            lines.add(EvidenceJson.write(new ExportedEntry(i, new String(leaf, StandardCharsets.UTF_8),
                    HexFormat.of().formatHex(TreeHasher.hashLeaf(leaf)))));
        }
        log.integrate(0, hashes);
        export = Files.write(dir.resolve("export.jsonl"), lines);
        checkpoint = Files.writeString(dir.resolve("checkpoint.note"), signer.sign(log.treeHead(50)));
        older = Files.writeString(dir.resolve("older.note"), signer.sign(log.treeHead(20)));
        proof = dir.resolve("proof.json");
        new ObjectMapper().writeValue(proof.toFile(),
                log.consistencyProof(20, 50).hashes().stream().map(h -> Base64.getEncoder().encodeToString(h)).toList());
    }

    @Test
    void anIntactLogExportExitsWithZero() {
        int code = run("log", "--origin", ORIGIN, "--key", key.verifier().verifierKey(), "--checkpoint", checkpoint.toString(),
                export.toString());

        assertThat(code).as(err.toString()).isEqualTo(Verify.VERIFIED);
        assertThat(out.toString()).startsWith("VERIFIED: 50 entries");
    }

    @Test
    void aTamperedLogExportExitsWithOneAndNamesTheFirstBadIndex() throws Exception {
        List<String> tampered = new ArrayList<>(lines);
        tampered.set(31, tampered.get(31).replace("alice", "mallory"));
        Files.write(export, tampered);

        int code = run("log", "--origin", ORIGIN, "--key", key.verifier().verifierKey(), "--checkpoint", checkpoint.toString(),
                export.toString());

        assertThat(code).isEqualTo(Verify.FAILED);
        assertThat(err.toString()).contains("first bad index 31");
    }

    @Test
    void aConsistencyProofBetweenTwoCheckpointsVerifiesAndFailsWhenTheyAreSwapped() {
        assertThat(run("consistency", "--origin", ORIGIN, "--key", key.verifier().verifierKey(), "--proof", proof.toString(),
                older.toString(), checkpoint.toString())).as(err.toString()).isEqualTo(Verify.VERIFIED);
        assertThat(run("consistency", "--origin", ORIGIN, "--key", key.verifier().verifierKey(), "--proof", proof.toString(),
                checkpoint.toString(), older.toString())).isEqualTo(Verify.FAILED);
    }

    @Test
    void aCheckpointFromAnotherOriginExitsWithOne() {
        int code = run("log", "--origin", "someone.else/log", "--key", key.verifier().verifierKey(), "--checkpoint",
                checkpoint.toString(), export.toString());

        assertThat(code).isEqualTo(Verify.FAILED);
        assertThat(err.toString()).contains("expected 'someone.else/log'");
    }

    @Test
    void keysCanComeFromAKeyFile() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "# trusted\n" + key.verifier().verifierKey() + "\n");

        assertThat(run("log", "--origin", ORIGIN, "--key-file", keys.toString(), "--checkpoint", checkpoint.toString(),
                export.toString())).as(err.toString()).isEqualTo(Verify.VERIFIED);
    }

    @Test
    void usageErrorsAndUnreadableInputExitWithTwo() {
        assertThat(run()).isEqualTo(Verify.USAGE);
        assertThat(run("log", "--origin", ORIGIN, "--checkpoint", checkpoint.toString(), export.toString())).isEqualTo(Verify.USAGE);
        assertThat(run("log", "--origin", ORIGIN, "--key", "not-a-key", "--checkpoint", checkpoint.toString(),
                export.toString())).isEqualTo(Verify.USAGE);
        assertThat(run("bundle", "--origin", ORIGIN, "--key", key.verifier().verifierKey(), dir.resolve("absent.json").toString()))
                .isEqualTo(Verify.USAGE);
        assertThat(run("frobnicate", "--origin", ORIGIN, "--key", key.verifier().verifierKey())).isEqualTo(Verify.USAGE);
        assertThat(err.toString()).contains("usage:");
    }

    private int run(String... args) {
        return Verify.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
