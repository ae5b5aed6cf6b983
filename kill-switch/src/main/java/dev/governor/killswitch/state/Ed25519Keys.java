package dev.governor.killswitch.state;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/** Ed25519 keys from the JDK: generation and the standard encodings (X.509 public, PKCS#8 private). */
public final class Ed25519Keys {

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519 provider", e);
        }
    }

    /** A public key from its X.509 SubjectPublicKeyInfo encoding ({@code PublicKey.getEncoded()}). */
    public static PublicKey publicKey(byte[] x509) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X.509-encoded Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** A private key from its PKCS#8 encoding ({@code PrivateKey.getEncoded()}). */
    public static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PKCS#8-encoded Ed25519 private key: " + e.getMessage(), e);
        }
    }

    static boolean isEd25519(Key key) {
        if (key instanceof EdECKey edec) {
            return "Ed25519".equalsIgnoreCase(edec.getParams().getName());
        }
        return "Ed25519".equalsIgnoreCase(key.getAlgorithm());
    }
}
