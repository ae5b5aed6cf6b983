package dev.governor.auditor.log;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RFC 6962 / RFC 9162 Merkle log over a {@link NodeStore}. Integration stores every complete
 * subtree once; a root, an inclusion proof or a consistency proof is then assembled from at most
 * O(log n) stored nodes, fetched in a single {@link NodeStore#read} call.
 *
 * <p>Tree sizes are passed in: the caller (the sequencer of entries) knows how many leaves are
 * integrated, and the log never reads beyond that.
 */
public final class MerkleLog {

    private final NodeStore store;

    public MerkleLog(NodeStore store) {
        if (store == null) {
            throw new IllegalArgumentException("a node store is required");
        }
        this.store = store;
    }

    /**
     * Integrates {@code leafHashes} as leaves {@code size, size + 1, ...} of a tree that currently
     * has {@code size} leaves, writes the nodes they complete and returns the new tree head.
     */
    public TreeHead integrate(long size, List<byte[]> leafHashes) {
        requireSize(size);
        CompactRange range = CompactRange.load(size, store);
        List<Node> completed = new ArrayList<>(leafHashes.size() * 2);
        for (byte[] leafHash : leafHashes) {
            completed.addAll(range.append(leafHash));
        }
        store.write(completed);
        return range.treeHead();
    }

    /** Root hash of the first {@code size} leaves. */
    public TreeHead treeHead(long size) {
        requireSize(size);
        List<NodeId> ids = rangeNodes(0, size);
        Map<NodeId, byte[]> nodes = store.read(ids);
        return new TreeHead(size, foldRight(hashesOf(ids, nodes)));
    }

    /**
     * Inclusion proof of leaf {@code leafIndex} in the tree of {@code treeSize} leaves (RFC 6962 §2.1.1 PATH).
     *
     * @throws MissingNodeException if the log has fewer than {@code treeSize} leaves
     */
    public InclusionProof inclusionProof(long leafIndex, long treeSize) {
        if (leafIndex < 0 || leafIndex >= treeSize) {
            throw new IllegalArgumentException("leaf index " + leafIndex + " is not inside a tree of size " + treeSize);
        }
        List<long[]> ranges = new ArrayList<>();
        long m = leafIndex;
        long begin = 0;
        long end = treeSize;
        while (end - begin > 1) {
            long split = Long.highestOneBit(end - begin - 1);
            if (m < split) {
                ranges.add(new long[] {begin + split, end});
                end = begin + split;
            } else {
                ranges.add(new long[] {begin, begin + split});
                m -= split;
                begin += split;
            }
        }
        Collections.reverse(ranges);
        // The proof's hashes cover every leaf but the proven one; when that is the last leaf, none of
        // them shows that the tree reaches treeSize. The last leaf, read in the same call, does.
        return new InclusionProof(leafIndex, treeSize, hashRanges(ranges, new NodeId(0, treeSize - 1)));
    }

    /**
     * Consistency proof between the trees of {@code fromSize} and {@code toSize} leaves (RFC 6962 §2.1.2 PROOF).
     *
     * @throws MissingNodeException if the log has fewer than {@code toSize} leaves
     */
    public ConsistencyProof consistencyProof(long fromSize, long toSize) {
        if (fromSize < 0 || fromSize > toSize) {
            throw new IllegalArgumentException("a consistency proof needs 0 <= fromSize <= toSize, got "
                    + fromSize + " and " + toSize);
        }
        if (fromSize == 0 || fromSize == toSize) {
            if (toSize > 0) {
                store.read(List.of(new NodeId(0, toSize - 1))); // the proof is empty, but the tree must exist
            }
            return new ConsistencyProof(fromSize, toSize, List.of());
        }
        List<long[]> ranges = new ArrayList<>();
        long m = fromSize;
        long begin = 0;
        long end = toSize;
        boolean wholeOldTree = true;
        while (m != end - begin) {
            long split = Long.highestOneBit(end - begin - 1);
            if (m <= split) {
                ranges.add(new long[] {begin + split, end});
                end = begin + split;
            } else {
                ranges.add(new long[] {begin, begin + split});
                m -= split;
                begin += split;
                wholeOldTree = false;
            }
        }
        if (!wholeOldTree) {
            ranges.add(new long[] {begin, end});
        }
        Collections.reverse(ranges);
        return new ConsistencyProof(fromSize, toSize, hashRanges(ranges, new NodeId(0, toSize - 1)));
    }

    /** The hash of each range, read with {@code witness} in one call; a missing witness fails it too. */
    private List<byte[]> hashRanges(List<long[]> ranges, NodeId witness) {
        List<List<NodeId>> idsPerRange = new ArrayList<>(ranges.size());
        Set<NodeId> all = new LinkedHashSet<>();
        all.add(witness);
        for (long[] range : ranges) {
            List<NodeId> ids = rangeNodes(range[0], range[1]);
            idsPerRange.add(ids);
            all.addAll(ids);
        }
        Map<NodeId, byte[]> nodes = store.read(all);
        List<byte[]> hashes = new ArrayList<>(ranges.size());
        for (List<NodeId> ids : idsPerRange) {
            hashes.add(foldRight(hashesOf(ids, nodes)));
        }
        return hashes;
    }

    /**
     * Perfect subtrees covering {@code [begin, end)}, largest first. Every range that is a node of
     * an RFC 6962 tree starts on a boundary of its largest piece, so each piece is a stored node.
     */
    static List<NodeId> rangeNodes(long begin, long end) {
        List<NodeId> ids = new ArrayList<>(Long.bitCount(end - begin));
        long position = begin;
        long remaining = end - begin;
        while (remaining > 0) {
            int level = 63 - Long.numberOfLeadingZeros(remaining);
            long width = 1L << level;
            if ((position & (width - 1)) != 0) {
                throw new IllegalStateException("range [" + begin + ", " + end + ") is not a node of an RFC 6962 tree");
            }
            ids.add(new NodeId(level, position >> level));
            position += width;
            remaining -= width;
        }
        return ids;
    }

    /** Combines subtree hashes, largest (leftmost) first, into the hash of the tree they make up. */
    static byte[] foldRight(List<byte[]> hashes) {
        if (hashes.isEmpty()) {
            return TreeHasher.emptyRoot();
        }
        byte[] hash = hashes.get(hashes.size() - 1);
        for (int i = hashes.size() - 2; i >= 0; i--) {
            hash = TreeHasher.hashChildren(hashes.get(i), hash);
        }
        return hash.clone();
    }

    private static List<byte[]> hashesOf(List<NodeId> ids, Map<NodeId, byte[]> nodes) {
        List<byte[]> hashes = new ArrayList<>(ids.size());
        for (NodeId id : ids) {
            byte[] hash = nodes.get(id);
            if (hash == null) {
                throw new MissingNodeException(id);
            }
            hashes.add(hash);
        }
        return hashes;
    }

    private static void requireSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("tree size must not be negative, was " + size);
        }
    }
}
