package dev.governor.auditor.dsse;

import dev.governor.auditor.checkpoint.Ed25519Keys;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Signs DSSE envelopes with an Ed25519 key given by its 32-byte seed. The key id written into
 * each signature is {@link Ed25519Verifier#keyIdOf}: the hex SHA-256 of the raw public key, so
 * anyone holding the public key computes the same id.
 */
public final class Ed25519Signer {

    private final PrivateKey key;
    private final byte[] publicKey;
    private final String keyId;

    public Ed25519Signer(byte[] seed) {
        if (seed.length != Ed25519Keys.KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 seed has 32 bytes, this one " + seed.length);
        }
        this.key = Ed25519Keys.privateKey(seed);
        this.publicKey = Ed25519Keys.publicKeyOf(seed);
        this.keyId = Ed25519Verifier.keyIdOf(publicKey);
    }

    /** A signer whose seed is given in base64 (standard alphabet), as key files hold it. */
    public static Ed25519Signer fromBase64Seed(String seed) {
        return new Ed25519Signer(Base64.getDecoder().decode(seed.strip()));
    }

    public static Ed25519Signer generate(SecureRandom random) {
        return new Ed25519Signer(Ed25519Keys.newSeed(random));
    }

    public String keyId() {
        return keyId;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey);
    }

    public Ed25519Verifier verifier() {
        return new Ed25519Verifier(publicKey);
    }

    /** An envelope of {@code payload} with this key's signature alone. */
    public Envelope sign(String payloadType, byte[] payload) {
        return new Envelope(payloadType, payload, List.of(new Envelope.Signature(keyId, signature(Envelope.pae(payloadType, payload)))));
    }

    private byte[] signature(byte[] message) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 provider is required", e);
        }
    }
}
