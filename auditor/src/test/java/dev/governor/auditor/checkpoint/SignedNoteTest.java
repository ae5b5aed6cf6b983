package dev.governor.auditor.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.testing.SharedVectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignedNoteTest {

    private String signerKey;
    private String verifierKey;
    private String text;
    private String signedNote;

    @BeforeEach
    void readPeterNeumannVector() throws Exception {
        JsonNode v = new ObjectMapper().readTree(SharedVectors.require("signed-note/peter-neumann.json").toFile());
        signerKey = v.get("signerKey").asText();
        verifierKey = v.get("verifierKey").asText();
        text = v.get("text").asText();
        signedNote = v.get("signedNote").asText();
    }

    @Test
    void signingThePeterNeumannTextReproducesTheSignedNoteByteForByte() {
        NoteSigner signer = NoteSigner.fromKey(signerKey);

        String produced = SignedNote.sign(text, signer);

        assertThat(produced.getBytes(StandardCharsets.UTF_8)).isEqualTo(signedNote.getBytes(StandardCharsets.UTF_8));
        assertThat(signer.verifier().verifierKey()).isEqualTo(verifierKey);
        assertThat(signer.signerKey()).isEqualTo(signerKey);
    }

    @Test
    void thePeterNeumannNoteOpensWithItsVerifierKey() {
        SignedNote note = SignedNote.open(signedNote, List.of(NoteVerifier.fromKey(verifierKey)));

        assertThat(note.text()).isEqualTo(text);
        assertThat(note.signers()).containsExactly("PeterNeumann");
        assertThat(SignedNote.open(signedNote.getBytes(StandardCharsets.UTF_8), List.of(NoteVerifier.fromKey(verifierKey))).text())
                .isEqualTo(text);
    }

    @Test
    void anyChangeToTheTextIsRejected() {
        NoteVerifier verifier = NoteVerifier.fromKey(verifierKey);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                continue;
            }
            String altered = signedNote.substring(0, i) + (char) (c ^ 1) + signedNote.substring(i + 1);
            assertThatThrownBy(() -> SignedNote.open(altered, List.of(verifier)))
                    .as("text changed at %d", i).isInstanceOf(NoteException.class).hasMessageContaining("invalid signature");
        }
    }

    @Test
    void aChangedNameKeyHashOrSignatureIsRejected() {
        NoteVerifier verifier = NoteVerifier.fromKey(verifierKey);
        String line = signedNote.substring(signedNote.lastIndexOf("\n\n") + 2);
        String body = signedNote.substring(0, signedNote.lastIndexOf("\n\n") + 2);
        byte[] sig = Base64.getDecoder().decode(line.substring(line.lastIndexOf(' ') + 1, line.length() - 1));

        String renamed = body + line.replace("PeterNeumann", "PeterNeuman");
        assertThatThrownBy(() -> SignedNote.open(renamed, List.of(verifier))).hasMessageContaining("not signed by any known key");

        for (int bit = 0; bit < sig.length * 8; bit++) {
            byte[] flipped = sig.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            String forged = body + "\u2014 PeterNeumann " + Base64.getEncoder().encodeToString(flipped) + "\n";
            assertThatThrownBy(() -> SignedNote.open(forged, List.of(verifier)))
                    .as("signature bit %d", bit).isInstanceOf(NoteException.class);
        }
    }

    @Test
    void aNoteSignedOnlyByAnUnknownKeyIsRejected() {
        NoteVerifier other = NoteSigner.generate("PeterNeumann", new SecureRandom()).verifier();

        assertThatThrownBy(() -> SignedNote.open(signedNote, List.of(other)))
                .isInstanceOf(NoteException.class).hasMessageContaining("not signed by any known key");
    }

    @Test
    void signaturesByUnknownKeysBesideAKnownOneAreKeptAsUnverified() {
        NoteSigner known = NoteSigner.fromKey(signerKey);
        NoteSigner witness = NoteSigner.generate("witness.example", new SecureRandom());

        SignedNote note = SignedNote.open(SignedNote.sign(text, List.of(witness, known)), List.of(known.verifier()));

        assertThat(note.signers()).containsExactly("PeterNeumann");
        assertThat(note.unverifiedLines()).hasSize(1).allMatch(l -> l.startsWith("\u2014 witness.example "));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "no blank line before the signatures",
            "signature line without em dash",
            "signature block without final newline",
            "control character in the text",
            "signature that is not base64",
            "signature too short",
            "no signature lines",
    })
    void malformedNotesAreRejected(String kind) {
        NoteVerifier verifier = NoteVerifier.fromKey(verifierKey);
        int split = signedNote.lastIndexOf("\n\n");
        String line = signedNote.substring(split + 2);
        String malformed = switch (kind) {
            case "no blank line before the signatures" -> signedNote.substring(0, split + 1) + line;
            case "signature line without em dash" -> signedNote.replace("\u2014 ", "- ");
            case "signature block without final newline" -> signedNote.substring(0, signedNote.length() - 1);
            case "control character in the text" -> signedNote.replace("answer", "ans\u0007er");
            case "signature that is not base64" -> signedNote.substring(0, split + 2) + "\u2014 PeterNeumann !!!\n";
            case "signature too short" -> signedNote.substring(0, split + 2) + "\u2014 PeterNeumann AAAA\n";
            case "no signature lines" -> signedNote.substring(0, split + 2);
            default -> throw new IllegalArgumentException(kind);
        };

        assertThatThrownBy(() -> SignedNote.open(malformed, List.of(verifier))).isInstanceOf(NoteException.class);
    }

    @Test
    void invalidUtf8BytesAreRejected() {
        byte[] bytes = signedNote.getBytes(StandardCharsets.UTF_8);
        bytes[3] = (byte) 0xff;

        assertThatThrownBy(() -> SignedNote.open(bytes, List.of(NoteVerifier.fromKey(verifierKey))))
                .isInstanceOf(NoteException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void keysWhoseHashDoesNotMatchTheirKeyAreRefused() {
        assertThatThrownBy(() -> NoteVerifier.fromKey(verifierKey.replace("c74f20a3", "c74f20a4")))
                .isInstanceOf(NoteException.class).hasMessageContaining("does not match");
        assertThatThrownBy(() -> NoteSigner.fromKey(signerKey.replace("c74f20a3", "c74f20a4")))
                .isInstanceOf(NoteException.class).hasMessageContaining("does not match");
        assertThatThrownBy(() -> NoteVerifier.fromKey("PeterNeumann+c74f20a3")).isInstanceOf(NoteException.class);
        assertThatThrownBy(() -> NoteSigner.fromKey(verifierKey)).isInstanceOf(NoteException.class);
    }

    @Test
    void aGeneratedKeyRoundTripsThroughItsKeyStrings() {
        NoteSigner generated = NoteSigner.generate("governor.dev/audit", new SecureRandom());
        NoteSigner reparsed = NoteSigner.fromKey(generated.signerKey());
        NoteVerifier verifier = NoteVerifier.fromKey(generated.verifier().verifierKey());

        String note = SignedNote.sign("hello\n", reparsed);

        assertThat(SignedNote.open(note, List.of(verifier)).text()).isEqualTo("hello\n");
        assertThat(reparsed.keyHash()).isEqualTo(generated.keyHash());
    }

    @ParameterizedTest(name = "name \"{0}\" is refused")
    @ValueSource(strings = {"", "has space", "has+plus", "tab\there", "nbsp\u00a0"})
    void invalidKeyNamesAreRefused(String name) {
        assertThatThrownBy(() -> NoteSigner.generate(name, new SecureRandom())).isInstanceOf(NoteException.class);
    }
}
