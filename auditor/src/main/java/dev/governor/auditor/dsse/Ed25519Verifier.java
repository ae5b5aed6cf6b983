package dev.governor.auditor.dsse;

import dev.governor.auditor.checkpoint.Ed25519Keys;
import dev.governor.auditor.checkpoint.NoteException;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;

/** Checks DSSE signatures made by one Ed25519 key, given as its raw 32-byte public key. */
public final class Ed25519Verifier {

    private final byte[] publicKey;
    private final PublicKey key;
    private final String keyId;

    public Ed25519Verifier(byte[] publicKey) {
        try {
            this.key = Ed25519Keys.publicKey(publicKey);
        } catch (NoteException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.publicKey = publicKey.clone();
        this.keyId = keyIdOf(publicKey);
    }

    /** A verifier of a key given in base64 (standard alphabet). */
    public static Ed25519Verifier fromBase64(String publicKey) {
        return new Ed25519Verifier(Base64.getDecoder().decode(publicKey.strip()));
    }

    /** The id of a key in DSSE signatures and in Governor's registry: lowercase hex SHA-256 of its 32 raw bytes. */
    public static String keyIdOf(byte[] publicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Whether {@code signature} is this key's signature of the envelope's PAE. Never throws on bad input. */
    public boolean verifies(Envelope envelope, Envelope.Signature signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(envelope.pae());
            return verifier.verify(signature.sig());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The first signature on the envelope made by this key, whatever key id it names; or null. */
    public Envelope.Signature find(Envelope envelope) {
        for (Envelope.Signature s : envelope.signatures()) {
            if ((s.keyid().isEmpty() || s.keyid().equals(keyId)) && verifies(envelope, s)) {
                return s;
            }
        }
        return null;
    }
}
