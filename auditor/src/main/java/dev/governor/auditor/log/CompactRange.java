package dev.governor.auditor.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The right frontier of a tree: the hashes of the perfect subtrees that together cover leaves
 * {@code [0, size)}, one per set bit of {@code size}, largest first. Appending a leaf merges
 * equal-sized neighbours and yields the nodes that became complete; the root is the fold of the
 * frontier from the right. Used to integrate batches and to recompute a root from a full export.
 */
public final class CompactRange {

    private long size;
    private final List<byte[]> hashes;

    private CompactRange(long size, List<byte[]> hashes) {
        this.size = size;
        this.hashes = hashes;
    }

    /** The frontier of the empty tree. */
    public static CompactRange empty() {
        return new CompactRange(0, new ArrayList<>());
    }

    /** Loads the frontier of the tree of {@code size} leaves from {@code store}, in one read. */
    public static CompactRange load(long size, NodeStore store) {
        List<NodeId> ids = frontier(size);
        Map<NodeId, byte[]> found = store.read(ids);
        List<byte[]> hashes = new ArrayList<>(ids.size() + 1);
        for (NodeId id : ids) {
            hashes.add(found.get(id));
        }
        return new CompactRange(size, hashes);
    }

    /** The ids of the perfect subtrees covering {@code [0, size)}, largest (leftmost) first. */
    public static List<NodeId> frontier(long size) {
        return MerkleLog.rangeNodes(0, size);
    }

    /** Appends one leaf hash and returns the nodes completed by it, the leaf itself first. */
    public List<Node> append(byte[] leafHash) {
        if (leafHash == null || leafHash.length != TreeHasher.HASH_SIZE) {
            throw new IllegalArgumentException("leaf hash must be " + TreeHasher.HASH_SIZE + " bytes");
        }
        List<Node> completed = new ArrayList<>(2);
        byte[] hash = leafHash.clone();
        int level = 0;
        long index = size;
        completed.add(new Node(new NodeId(level, index), hash));
        while ((index & 1) == 1) {
            byte[] left = hashes.remove(hashes.size() - 1);
            hash = TreeHasher.hashChildren(left, hash);
            level++;
            index >>= 1;
            completed.add(new Node(new NodeId(level, index), hash));
        }
        hashes.add(hash);
        size++;
        return completed;
    }

    public long size() {
        return size;
    }

    /** RFC 6962 root hash of the tree this frontier covers. */
    public byte[] root() {
        return MerkleLog.foldRight(hashes);
    }

    public TreeHead treeHead() {
        return new TreeHead(size, root());
    }
}
