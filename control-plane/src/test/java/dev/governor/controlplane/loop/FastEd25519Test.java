package dev.governor.controlplane.loop;

import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.dsse.Envelope;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Intake's Bouncy Castle verifier accepts and refuses exactly what the JDK's verifier (the auditor's, a regulator's) does. */
class FastEd25519Test {

    /** The order of the Ed25519 group: a signature's S must be below it (RFC 8032 §5.1.7). */
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    private static boolean both(Ed25519Signer signer, Envelope envelope, Envelope.Signature s) {
        boolean jdk = signer.verifier().verifies(envelope, s);
        boolean fast = new FastEd25519(signer.publicKey()).verifies(envelope.pae(), s);
        assertThat(fast).as("Bouncy Castle agrees with the JDK").isEqualTo(jdk);
        return jdk;
    }

    @Test
    void bothAcceptGenuineSignaturesAndRefuseEveryMutation() {
        Random random = new Random(42);
        SecureRandom secure = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            Ed25519Signer signer = Ed25519Signer.generate(secure);
            byte[] payload = new byte[random.nextInt(2000)];
            random.nextBytes(payload);
            Envelope envelope = signer.sign("application/vnd.governor.proposal.v1+json", payload);
            Envelope.Signature good = envelope.signatures().get(0);
            assertThat(both(signer, envelope, good)).isTrue();

            byte[] sig = good.sig().clone();
            sig[random.nextInt(sig.length)] ^= (byte) (1 << random.nextInt(8));
            assertThat(both(signer, envelope, new Envelope.Signature(good.keyid(), sig))).isFalse();
            if (payload.length > 0) {
                byte[] changed = payload.clone();
                changed[random.nextInt(changed.length)] ^= 1;
                assertThat(both(signer, new Envelope(envelope.payloadType(), changed, List.of(good)), good)).isFalse();
            }
            assertThat(both(Ed25519Signer.generate(secure), envelope, good)).isFalse();
        }
    }

    @Test
    void bothRefuseMalleatedAndMalformedSignatures() {
        Ed25519Signer signer = Ed25519Signer.generate(new SecureRandom());
        Envelope envelope = signer.sign("t", new byte[]{1, 2, 3});
        byte[] sig = envelope.signatures().get(0).sig();
        // S + L verifies under the group law but is not canonical: RFC 8032 refuses it.
        byte[] s = new byte[32];
        for (int i = 0; i < 32; i++) {
            s[i] = sig[63 - i];
        }
        byte[] sPlusL = new BigInteger(1, s).add(L).toByteArray();
        byte[] malleated = sig.clone();
        for (int i = 0; i < 32; i++) {
            malleated[32 + i] = i < sPlusL.length ? sPlusL[sPlusL.length - 1 - i] : 0;
        }
        assertThat(both(signer, envelope, new Envelope.Signature("", malleated))).isFalse();
        assertThat(both(signer, envelope, new Envelope.Signature("", new byte[64]))).isFalse();
        assertThat(both(signer, envelope, new Envelope.Signature("", new byte[63]))).isFalse();
        assertThat(both(signer, envelope, new Envelope.Signature("", new byte[0]))).isFalse();
    }
}
