package dev.governor.killswitch.state;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/** Ed25519 (RFC 8032) signatures with the JDK's own provider. Ed25519 is deterministic: same bytes, same signature. */
public final class Ed25519StateSigner implements StateSigner {

    private final PrivateKey privateKey;

    public Ed25519StateSigner(PrivateKey privateKey) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        if (!Ed25519Keys.isEd25519(privateKey)) {
            throw new IllegalArgumentException("not an Ed25519 private key: algorithm " + privateKey.getAlgorithm());
        }
    }

    @Override
    public byte[] sign(byte[] canonicalBytes) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(canonicalBytes);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new SigningFailedException("the kill-switch signing key could not sign: " + e.getMessage(), e);
        }
    }
}
