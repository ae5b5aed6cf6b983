package dev.governor.killswitch.state;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CachingStateVerifierTest {

    private final KeyPair keys = Ed25519Keys.generate();
    private final StateSigner signer = new Ed25519StateSigner(keys.getPrivate());
    private final AtomicInteger verifications = new AtomicInteger();
    private final StateVerifier counting = (bytes, signature) -> {
        verifications.incrementAndGet();
        return new Ed25519StateVerifier(keys.getPublic()).verify(bytes, signature);
    };
    private final CachingStateVerifier cache = new CachingStateVerifier(counting, 4);
    private final byte[] message = "governor-killswitch/v1\nstate=PAUSED\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void aValidSignatureIsVerifiedOnceAndThenRemembered() {
        byte[] signature = signer.sign(message);

        assertThat(cache.verify(message, signature)).isTrue();
        assertThat(cache.verify(message.clone(), signature.clone())).isTrue();

        assertThat(verifications).hasValue(1);
    }

    @Test
    void anInvalidSignatureIsNeverRememberedAndStaysInvalid() {
        byte[] signature = signer.sign(message);
        signature[5] ^= 1;

        assertThat(cache.verify(message, signature)).isFalse();
        assertThat(cache.verify(message, signature)).isFalse();

        assertThat(verifications).hasValue(2);
    }

    @Test
    void aRememberedSignatureDoesNotVouchForOtherBytes() {
        byte[] signature = signer.sign(message);
        assertThat(cache.verify(message, signature)).isTrue();

        byte[] tampered = message.clone();
        tampered[tampered.length - 2] = 'X';

        assertThat(cache.verify(tampered, signature)).isFalse();
    }

    @Test
    void changingTheCallersArraysAfterwardsCannotPoisonTheCache() {
        byte[] signature = signer.sign(message);
        byte[] bytes = message.clone();
        assertThat(cache.verify(bytes, signature)).isTrue();

        bytes[0] = 'X';

        assertThat(cache.verify(bytes, signature)).isFalse();
        assertThat(cache.verify(message, signature)).isTrue();
    }
}
