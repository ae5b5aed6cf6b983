package dev.governor.killswitch.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

class SignedStateTest {

    private static final Instant T = Instant.parse("2026-11-25T18:00:00.123Z");
    private static final KeyPair KEYS = Ed25519Keys.generate();
    private static final StateSigner SIGNER = new Ed25519StateSigner(KEYS.getPrivate());
    private static final StateVerifier VERIFIER = new Ed25519StateVerifier(KEYS.getPublic());

    private static final PauseState PENDING = new PauseState(KillSwitchState.TRIPPED, 7, "critical ai_rnd breach", "policy-gate",
            "proposal-42", T, new PendingResume("alice", "false alarm", T.plusSeconds(1), T.plusSeconds(901)), null);

    @Test
    void theCanonicalFormIsTheDocumentedText() {
        String text = new String(CanonicalForm.of(PENDING), StandardCharsets.UTF_8);

        assertThat(text).isEqualTo("""
                governor-killswitch/v1
                state=TRIPPED
                epoch=7
                changedAt=2026-11-25T18:00:00.123Z
                actor=policy-gate
                reason=critical ai_rnd breach
                cause=proposal-42
                pendingResume.officer=alice
                pendingResume.reason=false alarm
                pendingResume.requestedAt=2026-11-25T18:00:01.123Z
                pendingResume.expiresAt=2026-11-25T18:15:01.123Z
                """);
    }

    @Test
    void absentFieldsAreBareNamesAndLineBreaksInValuesAreEscaped() {
        PauseState paused = new PauseState(KillSwitchState.PAUSED, 1, "line one\ncause=forged\\x\r", "alice", null, T, null, null);

        assertThat(new String(CanonicalForm.of(paused), StandardCharsets.UTF_8)).isEqualTo("""
                governor-killswitch/v1
                state=PAUSED
                epoch=1
                changedAt=2026-11-25T18:00:00.123Z
                actor=alice
                reason=line one\\ncause=forged\\\\x\\r
                cause
                pendingResume.officer
                pendingResume.reason
                pendingResume.requestedAt
                pendingResume.expiresAt
                """);
    }

    @Test
    void aReasonThatImitatesAnotherFieldDoesNotCollideWithThatField() {
        PauseState honest = new PauseState(KillSwitchState.TRIPPED, 3, "r", "a", "c", T, null, null);
        PauseState imitation = new PauseState(KillSwitchState.TRIPPED, 3, "r\ncause=c", "a", "c", T, null, null);

        assertThat(CanonicalForm.of(imitation)).isNotEqualTo(CanonicalForm.of(honest));
    }

    @Test
    void aSignedStateVerifiesWithTheMatchingKeyOnly() {
        PauseState signed = PENDING.signedWith(SIGNER);
        StateVerifier otherKey = new Ed25519StateVerifier(Ed25519Keys.generate().getPublic());

        assertThat(signed.isSignedBy(VERIFIER)).isTrue();
        assertThat(signed.isSignedBy(otherKey)).isFalse();
        assertThat(PENDING.isSignedBy(VERIFIER)).as("unsigned").isFalse();
    }

    @Test
    void keysSurviveTheirStandardEncodings() {
        StateSigner reloadedSigner = new Ed25519StateSigner(Ed25519Keys.privateKey(KEYS.getPrivate().getEncoded()));
        StateVerifier reloadedVerifier = new Ed25519StateVerifier(Ed25519Keys.publicKey(KEYS.getPublic().getEncoded()));

        assertThat(PENDING.signedWith(reloadedSigner).isSignedBy(reloadedVerifier)).isTrue();
        assertThat(PENDING.signedWith(reloadedSigner).signature()).isEqualTo(PENDING.signedWith(SIGNER).signature());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperings")
    void everyTamperedFieldBreaksTheSignature(UnaryOperator<PauseState> tamper) {
        PauseState signed = PENDING.signedWith(SIGNER);

        PauseState tampered = tamper.apply(signed);

        assertThat(tampered).isNotEqualTo(signed);
        assertThat(tampered.isSignedBy(VERIFIER)).isFalse();
    }

    static Stream<Arguments> tamperings() {
        return Stream.of(
                tampering("state TRIPPED -> RUNNING (pending dropped)", s -> new PauseState(KillSwitchState.RUNNING, s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(), null, s.signature())),
                tampering("state TRIPPED -> PAUSED", s -> new PauseState(KillSwitchState.PAUSED, s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(), s.pendingResume(), s.signature())),
                tampering("epoch + 1", s -> new PauseState(s.state(), s.epoch() + 1, s.reason(), s.actor(), s.cause(), s.changedAt(), s.pendingResume(), s.signature())),
                tampering("reason", s -> new PauseState(s.state(), s.epoch(), s.reason() + ".", s.actor(), s.cause(), s.changedAt(), s.pendingResume(), s.signature())),
                tampering("actor", s -> new PauseState(s.state(), s.epoch(), s.reason(), "mallory", s.cause(), s.changedAt(), s.pendingResume(), s.signature())),
                tampering("cause", s -> new PauseState(s.state(), s.epoch(), s.reason(), s.actor(), "proposal-43", s.changedAt(), s.pendingResume(), s.signature())),
                tampering("changedAt + 1 ms", s -> new PauseState(s.state(), s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt().plusMillis(1), s.pendingResume(), s.signature())),
                tampering("pending resume removed", s -> new PauseState(s.state(), s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(), null, s.signature())),
                tampering("pending officer", s -> new PauseState(s.state(), s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(),
                        new PendingResume("bob", s.pendingResume().reason(), s.pendingResume().requestedAt(), s.pendingResume().expiresAt()), s.signature())),
                tampering("pending expiry extended", s -> new PauseState(s.state(), s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(),
                        new PendingResume("alice", s.pendingResume().reason(), s.pendingResume().requestedAt(), s.pendingResume().expiresAt().plusSeconds(3600)), s.signature())),
                tampering("one signature bit flipped", s -> withSignature(s, flip(Base64.getDecoder().decode(s.signature())))),
                tampering("signature truncated", s -> withSignature(s, java.util.Arrays.copyOf(Base64.getDecoder().decode(s.signature()), 63))),
                tampering("signature not base64", s -> new PauseState(s.state(), s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(), s.pendingResume(), "%%%")));
    }

    private static Arguments tampering(String name, UnaryOperator<PauseState> tamper) {
        return Arguments.of(named(name, tamper));
    }

    private static PauseState withSignature(PauseState s, byte[] signature) {
        return new PauseState(s.state(), s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(), s.pendingResume(),
                Base64.getEncoder().encodeToString(signature));
    }

    private static byte[] flip(byte[] bytes) {
        byte[] copy = bytes.clone();
        copy[17] ^= 0x04;
        return copy;
    }
}
