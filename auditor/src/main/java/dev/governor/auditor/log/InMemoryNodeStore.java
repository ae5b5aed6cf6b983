package dev.governor.auditor.log;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link NodeStore} in a map, for tests and for rebuilding a tree from an export. */
public final class InMemoryNodeStore implements NodeStore {

    private final Map<NodeId, byte[]> nodes = new ConcurrentHashMap<>();

    @Override
    public Map<NodeId, byte[]> read(Collection<NodeId> ids) {
        Map<NodeId, byte[]> found = new HashMap<>(ids.size() * 2);
        for (NodeId id : ids) {
            byte[] hash = nodes.get(id);
            if (hash == null) {
                throw new MissingNodeException(id);
            }
            found.put(id, hash.clone());
        }
        return found;
    }

    @Override
    public void write(List<Node> newNodes) {
        for (Node node : newNodes) {
            byte[] previous = nodes.putIfAbsent(node.id(), node.hash());
            if (previous != null && !Arrays.equals(previous, node.hash())) {
                throw new IllegalStateException("node " + node.id() + " already holds a different hash; nodes never change");
            }
        }
    }

    /** Number of stored nodes. */
    public int nodeCount() {
        return nodes.size();
    }
}
