package dev.governor.auditor.log;

/**
 * A complete (perfect) subtree of the log: at {@code level} L it covers the 2^L leaves
 * {@code [index * 2^L, (index + 1) * 2^L)}. Level 0 nodes are leaf hashes.
 */
public record NodeId(int level, long index) implements Comparable<NodeId> {

    public NodeId {
        if (level < 0 || level > 62) {
            throw new IllegalArgumentException("node level must be within 0..62, was " + level);
        }
        if (index < 0) {
            throw new IllegalArgumentException("node index must not be negative, was " + index);
        }
    }

    /** First leaf index the node covers. */
    public long firstLeaf() {
        return index << level;
    }

    @Override
    public int compareTo(NodeId other) {
        int byLevel = Integer.compare(level, other.level);
        return byLevel != 0 ? byLevel : Long.compare(index, other.index);
    }
}
