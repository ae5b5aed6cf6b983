package dev.governor.auditor.checkpoint;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;

/** Ed25519 key material in the raw 32-byte encodings of RFC 8032, on the JDK's own provider. */
public final class Ed25519Keys {

    public static final int KEY_SIZE = 32;
    static final byte ALGORITHM_ED25519 = 0x01;

    private Ed25519Keys() {
    }

    public static PrivateKey privateKey(byte[] seed) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 provider is required", e);
        }
    }

    /**
     * Derives the public key of a seed. The JDK has no public call for this, but its Ed25519 key
     * pair generator takes the seed as its only random input, so a generator fed exactly the seed
     * yields the matching pair.
     */
    public static byte[] publicKeyOf(byte[] seed) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new FixedBytes(seed));
            KeyPair pair = generator.generateKeyPair();
            return encode((EdECPublicKey) pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 provider is required", e);
        }
    }

    public static byte[] newSeed(SecureRandom random) {
        byte[] seed = new byte[KEY_SIZE];
        random.nextBytes(seed);
        return seed;
    }

    public static PublicKey publicKey(byte[] encoded) {
        if (encoded.length != KEY_SIZE) {
            throw new NoteException("an Ed25519 public key has 32 bytes, this one " + encoded.length);
        }
        byte[] littleEndian = encoded.clone();
        boolean xOdd = (littleEndian[KEY_SIZE - 1] & 0x80) != 0;
        littleEndian[KEY_SIZE - 1] &= 0x7f;
        byte[] bigEndian = new byte[KEY_SIZE];
        for (int i = 0; i < KEY_SIZE; i++) {
            bigEndian[i] = littleEndian[KEY_SIZE - 1 - i];
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(
                    new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, bigEndian))));
        } catch (GeneralSecurityException e) {
            throw new NoteException("not a valid Ed25519 public key", e);
        }
    }

    static byte[] encode(EdECPublicKey key) {
        byte[] bigEndian = key.getPoint().getY().toByteArray();
        byte[] encoded = new byte[KEY_SIZE];
        for (int i = 0; i < bigEndian.length && i < KEY_SIZE; i++) {
            encoded[i] = bigEndian[bigEndian.length - 1 - i];
        }
        if (key.getPoint().isXOdd()) {
            encoded[KEY_SIZE - 1] |= (byte) 0x80;
        }
        return encoded;
    }

    /** C2SP signed-note key hash: the first four bytes of SHA-256(name || "\n" || 0x01 || public key). */
    static int keyHash(String name, byte[] publicKey) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) '\n');
            sha256.update(ALGORITHM_ED25519);
            sha256.update(publicKey);
            byte[] digest = sha256.digest();
            return ((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8) | (digest[3] & 0xff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** Feeds a fixed byte string to the one nextBytes call of the key pair generator. */
    private static final class FixedBytes extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;

        FixedBytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (out.length != bytes.length) {
                throw new IllegalStateException("expected a request for " + bytes.length + " bytes, got " + out.length);
            }
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }
}
