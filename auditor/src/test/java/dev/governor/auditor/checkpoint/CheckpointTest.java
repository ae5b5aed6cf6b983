package dev.governor.auditor.checkpoint;

import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {

    private static final String ORIGIN = "governor.dev/audit/test";
    private static final byte[] ROOT = HexFormat.of().parseHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void theBodyIsOriginSizeAndBase64RootOnePerLineWithTrailingNewline() {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, 8, ROOT, List.of());

        assertThat(checkpoint.body()).isEqualTo(ORIGIN + "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
    }

    @Test
    void extensionLinesFollowTheRootAndSurviveParsing() {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, 8, ROOT, List.of("policy-revision abc", "epoch 3"));

        assertThat(checkpoint.body()).endsWith("=\npolicy-revision abc\nepoch 3\n");
        assertThat(Checkpoint.parse(checkpoint.body())).isEqualTo(checkpoint);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "origin\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
            "origin\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "origin\n-8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "origin\n8 \nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "origin\n99999999999999999999\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "origin\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQ==\n",
            "origin\n8\nnot base64!\n",
            "origin\n8\n",
            "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "origin\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n",
    })
    void malformedBodiesAreRejected(String body) {
        assertThatThrownBy(() -> Checkpoint.parse(body)).isInstanceOf(NoteException.class);
    }

    @Test
    void aSignedCheckpointOpensWithTheLogsKeyAndOrigin() {
        NoteSigner key = NoteSigner.generate(ORIGIN, new SecureRandom());
        CheckpointSigner signer = new CheckpointSigner(ORIGIN, key);
        TreeHead head = new TreeHead(8, ROOT);

        String note = signer.sign(head);
        Checkpoint opened = new CheckpointVerifier(ORIGIN, NoteVerifier.fromKey(key.verifier().verifierKey())).open(note);

        assertThat(opened.treeHead()).isEqualTo(head);
        assertThat(opened.origin()).isEqualTo(ORIGIN);
        assertThat(note).startsWith(ORIGIN + "\n8\n").contains("\n\n\u2014 " + ORIGIN + " ");
    }

    @Test
    void aCheckpointOfAnotherOriginIsRejectedEvenWhenTheSignatureIsGood() {
        NoteSigner key = NoteSigner.generate("shared-key", new SecureRandom());
        String note = new CheckpointSigner("other.example/log", key).sign(new TreeHead(8, ROOT));

        assertThatThrownBy(() -> new CheckpointVerifier(ORIGIN, key.verifier()).open(note))
                .isInstanceOf(NoteException.class).hasMessageContaining("expected '" + ORIGIN + "'");
    }

    @Test
    void aCheckpointWhoseSizeOrRootWasChangedAfterSigningIsRejected() {
        NoteSigner key = NoteSigner.generate(ORIGIN, new SecureRandom());
        String note = new CheckpointSigner(ORIGIN, key).sign(new TreeHead(8, ROOT));
        CheckpointVerifier verifier = new CheckpointVerifier(ORIGIN, key.verifier());

        assertThatThrownBy(() -> verifier.open(note.replace("\n8\n", "\n9\n"))).hasMessageContaining("invalid signature");
        assertThatThrownBy(() -> verifier.open(note.replace("Xcna", "Xcnb"))).hasMessageContaining("invalid signature");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRejected() {
        String note = new CheckpointSigner(ORIGIN, NoteSigner.generate(ORIGIN, new SecureRandom())).sign(new TreeHead(8, ROOT));
        NoteVerifier other = NoteSigner.generate(ORIGIN, new SecureRandom()).verifier();

        assertThatThrownBy(() -> new CheckpointVerifier(ORIGIN, other).open(note)).hasMessageContaining("not signed by any known key");
    }

    @Test
    void theEmptyLogHasACheckpointToo() {
        Checkpoint empty = Checkpoint.of(ORIGIN, TreeHead.empty());

        assertThat(Checkpoint.parse(empty.body()).treeHead().rootHash()).isEqualTo(TreeHasher.emptyRoot());
        assertThat(empty.body()).isEqualTo(ORIGIN + "\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
    }
}
