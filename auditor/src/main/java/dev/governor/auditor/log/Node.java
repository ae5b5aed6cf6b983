package dev.governor.auditor.log;

import java.util.Arrays;
import java.util.HexFormat;

/** The hash of one complete subtree, as kept by a {@link NodeStore}. */
public record Node(NodeId id, byte[] hash) {

    public Node {
        if (id == null) {
            throw new IllegalArgumentException("node id is required");
        }
        if (hash == null || hash.length != TreeHasher.HASH_SIZE) {
            throw new IllegalArgumentException("node hash must be " + TreeHasher.HASH_SIZE + " bytes");
        }
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Node that && id.equals(that.id) && Arrays.equals(hash, that.hash);
    }

    @Override
    public int hashCode() {
        return 31 * id.hashCode() + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "Node[" + id.level() + "/" + id.index() + " " + HexFormat.of().formatHex(hash) + "]";
    }
}
