package dev.governor.controlplane.loop;

import dev.governor.auditor.dsse.Envelope;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 verification of DSSE signatures on the intake's hot path, with Bouncy Castle's
 * implementation: one verification per proposal, about seven times faster than the JDK's
 * provider here. {@code FastEd25519Test} checks that it accepts and refuses exactly what the
 * JDK's verifier (the auditor's {@code Ed25519Verifier}, which regulators run) does.
 */
final class FastEd25519 {

    private static final int SIGNATURE_SIZE = 64;
    private final Ed25519PublicKeyParameters key;

    FastEd25519(byte[] publicKey) {
        this.key = new Ed25519PublicKeyParameters(publicKey, 0);
    }

    boolean verifies(byte[] pae, Envelope.Signature signature) {
        byte[] sig = signature.sig();
        if (sig.length != SIGNATURE_SIZE) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, key);
        verifier.update(pae, 0, pae.length);
        return verifier.verifySignature(sig);
    }
}
