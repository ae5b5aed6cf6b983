package dev.governor.auditor.log;

import java.util.Arrays;
import java.util.Base64;

/** Size and root hash of the log at one moment: what a checkpoint signs. */
public record TreeHead(long size, byte[] rootHash) {

    public TreeHead {
        if (size < 0) {
            throw new IllegalArgumentException("tree size must not be negative, was " + size);
        }
        if (rootHash == null || rootHash.length != TreeHasher.HASH_SIZE) {
            throw new IllegalArgumentException("root hash must be " + TreeHasher.HASH_SIZE + " bytes");
        }
        rootHash = rootHash.clone();
    }

    /** The head of the empty log. */
    public static TreeHead empty() {
        return new TreeHead(0, TreeHasher.emptyRoot());
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    public String rootHashBase64() {
        return Base64.getEncoder().encodeToString(rootHash);
    }

    public String rootHashHex() {
        return Hashes.hex(rootHash);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TreeHead that && size == that.size && Arrays.equals(rootHash, that.rootHash);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(size) + Arrays.hashCode(rootHash);
    }

    @Override
    public String toString() {
        return "TreeHead[size=" + size + ", root=" + rootHashHex() + "]";
    }
}
