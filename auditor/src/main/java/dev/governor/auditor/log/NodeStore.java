package dev.governor.auditor.log;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Storage port of the Merkle log: the hash of every complete subtree, written once as leaves are
 * integrated. Any root or proof needs at most O(log n) of them, read in one call.
 */
public interface NodeStore {

    /**
     * Returns the hash of every requested node.
     *
     * @throws MissingNodeException if one of them was never written (the tree is smaller than asked)
     */
    Map<NodeId, byte[]> read(Collection<NodeId> ids);

    /** Stores new nodes; a node is written once and never changes. */
    void write(List<Node> nodes);
}
