package dev.governor.auditor.checkpoint;

import java.util.Base64;
import java.util.HexFormat;

/** Shared syntax rules of C2SP signed-note key names, key hashes and key strings. */
final class NoteKeyNames {

    private NoteKeyNames() {
    }

    /** A key name is non-empty, has no Unicode white space and no '+'. */
    static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.indexOf('+') >= 0) {
            return false;
        }
        return name.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85);
    }

    static String requireValid(String name) {
        if (!isValid(name)) {
            throw new NoteException("key name '" + name + "' is not valid: it must be non-empty, without spaces and without '+'");
        }
        return name;
    }

    static int parseKeyHash(String hex, String what) {
        if (hex.length() != 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new NoteException(what + " key hash '" + hex + "' must be 8 hexadecimal digits");
        }
        return (int) Long.parseLong(hex, 16);
    }

    static String formatKeyHash(int keyHash) {
        return HexFormat.of().toHexDigits(keyHash);
    }

    /** Decodes base64(0x01 || 32 key bytes) and returns the 32 key bytes. */
    static byte[] decodeKey(String base64, String what) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new NoteException(what + " key is not valid base64", e);
        }
        if (decoded.length != 1 + Ed25519Keys.KEY_SIZE || decoded[0] != Ed25519Keys.ALGORITHM_ED25519) {
            throw new NoteException(what + " key must be base64 of 0x01 followed by a 32-byte Ed25519 key");
        }
        byte[] key = new byte[Ed25519Keys.KEY_SIZE];
        System.arraycopy(decoded, 1, key, 0, key.length);
        return key;
    }

    static String encodeKey(byte[] key) {
        byte[] withAlgorithm = new byte[1 + key.length];
        withAlgorithm[0] = Ed25519Keys.ALGORITHM_ED25519;
        System.arraycopy(key, 0, withAlgorithm, 1, key.length);
        return Base64.getEncoder().encodeToString(withAlgorithm);
    }
}
