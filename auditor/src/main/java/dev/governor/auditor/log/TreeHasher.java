package dev.governor.auditor.log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** RFC 6962 / RFC 9162 §2.1.1 hashing with SHA-256 and domain separation of leaves and nodes. */
public final class TreeHasher {

    public static final int HASH_SIZE = 32;
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final MessageDigest PROTOTYPE = sha256();
    private static final byte[] EMPTY_ROOT = sha256().digest();

    private TreeHasher() {
    }

    /** SHA-256(0x00 || leaf). */
    public static byte[] hashLeaf(byte[] leaf) {
        MessageDigest digest = newDigest();
        digest.update(LEAF_PREFIX);
        digest.update(leaf);
        return digest.digest();
    }

    /** SHA-256(0x01 || left || right). */
    public static byte[] hashChildren(byte[] left, byte[] right) {
        MessageDigest digest = newDigest();
        digest.update(NODE_PREFIX);
        digest.update(left);
        digest.update(right);
        return digest.digest();
    }

    /** Root hash of the empty tree: SHA-256 of the empty string. */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    /** Cloning a prototype skips the provider lookup, which costs more than hashing a small leaf. */
    private static MessageDigest newDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return sha256();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
