package dev.governor.auditor.checkpoint;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/** Checks Ed25519 signatures of one C2SP signed-note key, given as {@code <name>+<hash>+<base64(0x01||pub)>}. */
public final class NoteVerifier {

    private final String name;
    private final int keyHash;
    private final byte[] publicKey;
    private final PublicKey key;

    private NoteVerifier(String name, int keyHash, byte[] publicKey) {
        this.name = name;
        this.keyHash = keyHash;
        this.publicKey = publicKey;
        this.key = Ed25519Keys.publicKey(publicKey);
    }

    /** Parses a verifier key string; refuses a malformed one or one whose hash does not match its key. */
    public static NoteVerifier fromKey(String verifierKey) {
        if (verifierKey == null) {
            throw new NoteException("verifier key is missing");
        }
        int first = verifierKey.indexOf('+');
        int second = first < 0 ? -1 : verifierKey.indexOf('+', first + 1);
        if (first < 0 || second < 0) {
            throw new NoteException("verifier key must look like <name>+<hash>+<base64 key>");
        }
        String name = NoteKeyNames.requireValid(verifierKey.substring(0, first));
        int hash = NoteKeyNames.parseKeyHash(verifierKey.substring(first + 1, second), "verifier");
        byte[] publicKey = NoteKeyNames.decodeKey(verifierKey.substring(second + 1), "verifier");
        if (Ed25519Keys.keyHash(name, publicKey) != hash) {
            throw new NoteException("verifier key hash " + NoteKeyNames.formatKeyHash(hash) + " does not match the key of " + name);
        }
        return new NoteVerifier(name, hash, publicKey);
    }

    static NoteVerifier of(String name, byte[] publicKey) {
        return new NoteVerifier(NoteKeyNames.requireValid(name), Ed25519Keys.keyHash(name, publicKey), publicKey.clone());
    }

    public String name() {
        return name;
    }

    public int keyHash() {
        return keyHash;
    }

    /** The key in verifier-key syntax, as published for auditors. */
    public String verifierKey() {
        return name + "+" + NoteKeyNames.formatKeyHash(keyHash) + "+" + NoteKeyNames.encodeKey(publicKey);
    }

    boolean verify(byte[] message, byte[] signature) {
        try {
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initVerify(key);
            ed25519.update(message);
            return ed25519.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 provider is required", e);
        }
    }

    @Override
    public String toString() {
        return "NoteVerifier[" + verifierKey() + "]";
    }
}
