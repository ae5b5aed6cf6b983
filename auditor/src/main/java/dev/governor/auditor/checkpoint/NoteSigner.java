package dev.governor.auditor.checkpoint;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;

/** Signs C2SP signed notes with one Ed25519 key, given as {@code PRIVATE+KEY+<name>+<hash>+<base64(0x01||seed)>}. */
public final class NoteSigner {

    private static final String PREFIX = "PRIVATE+KEY+";

    private final String name;
    private final byte[] seed;
    private final PrivateKey key;
    private final NoteVerifier verifier;

    private NoteSigner(String name, byte[] seed) {
        this.name = name;
        this.seed = seed;
        this.key = Ed25519Keys.privateKey(seed);
        this.verifier = NoteVerifier.of(name, Ed25519Keys.publicKeyOf(seed));
    }

    /** Parses a signer key string; refuses a malformed one or one whose hash does not match its key. */
    public static NoteSigner fromKey(String signerKey) {
        if (signerKey == null || !signerKey.startsWith(PREFIX)) {
            throw new NoteException("signer key must start with PRIVATE+KEY+");
        }
        String rest = signerKey.substring(PREFIX.length());
        int first = rest.indexOf('+');
        int second = first < 0 ? -1 : rest.indexOf('+', first + 1);
        if (first < 0 || second < 0) {
            throw new NoteException("signer key must look like PRIVATE+KEY+<name>+<hash>+<base64 key>");
        }
        String name = NoteKeyNames.requireValid(rest.substring(0, first));
        int hash = NoteKeyNames.parseKeyHash(rest.substring(first + 1, second), "signer");
        NoteSigner signer = new NoteSigner(name, NoteKeyNames.decodeKey(rest.substring(second + 1), "signer"));
        if (signer.keyHash() != hash) {
            throw new NoteException("signer key hash " + NoteKeyNames.formatKeyHash(hash) + " does not match the key of " + name);
        }
        return signer;
    }

    /** A new random key named {@code name}. */
    public static NoteSigner generate(String name, SecureRandom random) {
        return new NoteSigner(NoteKeyNames.requireValid(name), Ed25519Keys.newSeed(random));
    }

    public String name() {
        return name;
    }

    public int keyHash() {
        return verifier.keyHash();
    }

    /** The secret key in signer-key syntax; keep it out of logs. */
    public String signerKey() {
        return PREFIX + name + "+" + NoteKeyNames.formatKeyHash(keyHash()) + "+" + NoteKeyNames.encodeKey(seed);
    }

    /** The verifier for this key, to publish. */
    public NoteVerifier verifier() {
        return verifier;
    }

    byte[] sign(byte[] message) {
        try {
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initSign(key);
            ed25519.update(message);
            return ed25519.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 provider is required", e);
        }
    }

    @Override
    public String toString() {
        return "NoteSigner[" + name + "+" + NoteKeyNames.formatKeyHash(keyHash()) + "]";
    }
}
