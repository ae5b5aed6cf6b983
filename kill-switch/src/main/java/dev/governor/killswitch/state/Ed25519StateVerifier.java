package dev.governor.killswitch.state;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;

/** Verifies Ed25519 signatures against one public key. */
public final class Ed25519StateVerifier implements StateVerifier {

    private final PublicKey publicKey;

    public Ed25519StateVerifier(PublicKey publicKey) {
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        if (!Ed25519Keys.isEd25519(publicKey)) {
            throw new IllegalArgumentException("not an Ed25519 public key: algorithm " + publicKey.getAlgorithm());
        }
    }

    @Override
    public boolean verify(byte[] canonicalBytes, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(canonicalBytes);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException malformed) {
            // A malformed signature is a bad signature, not an error of the verifier.
            return false;
        }
    }
}
