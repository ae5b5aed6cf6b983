package dev.governor.auditor.store;

import dev.governor.auditor.log.MissingNodeException;
import dev.governor.auditor.log.Node;
import dev.governor.auditor.log.NodeId;
import dev.governor.auditor.log.NodeStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link NodeStore} on table {@code audit_tree_node}, through the caller's connection so that
 * nodes commit or roll back together with the entries they integrate. One statement per read or
 * write, whatever the number of nodes.
 */
public final class JdbcNodeStore implements NodeStore {

    private static final String READ = """
            select n.level, n.node_index, n.hash
              from audit_tree_node n
              join unnest(?::int[], ?::bigint[]) as wanted(level, node_index)
                on n.level = wanted.level and n.node_index = wanted.node_index
            """;
    private static final String WRITE = """
            insert into audit_tree_node (level, node_index, hash)
            select level, node_index, hash from unnest(?::smallint[], ?::bigint[], ?::bytea[]) as t(level, node_index, hash)
            """;

    private final Connection connection;

    public JdbcNodeStore(Connection connection) {
        this.connection = connection;
    }

    @Override
    public Map<NodeId, byte[]> read(Collection<NodeId> ids) {
        Map<NodeId, byte[]> found = readPresent(ids);
        for (NodeId id : ids) {
            if (!found.containsKey(id)) {
                throw new MissingNodeException(id);
            }
        }
        return found;
    }

    /** The requested nodes that exist; absent ones are simply not in the map. */
    Map<NodeId, byte[]> readPresent(Collection<NodeId> ids) {
        Map<NodeId, byte[]> found = new HashMap<>(ids.size() * 2);
        if (ids.isEmpty()) {
            return found;
        }
        Integer[] levels = new Integer[ids.size()];
        Long[] indexes = new Long[ids.size()];
        int i = 0;
        for (NodeId id : ids) {
            levels[i] = id.level();
            indexes[i] = id.index();
            i++;
        }
        try (PreparedStatement statement = connection.prepareStatement(READ)) {
            statement.setArray(1, connection.createArrayOf("int4", levels));
            statement.setArray(2, connection.createArrayOf("int8", indexes));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.put(new NodeId(rows.getInt(1), rows.getLong(2)), rows.getBytes(3));
                }
            }
        } catch (SQLException e) {
            throw new AuditStoreException("reading " + ids.size() + " Merkle tree nodes failed: " + e.getMessage(), e);
        }
        return found;
    }

    @Override
    public void write(List<Node> nodes) {
        if (nodes.isEmpty()) {
            return;
        }
        Short[] levels = new Short[nodes.size()];
        Long[] indexes = new Long[nodes.size()];
        byte[][] hashes = new byte[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            levels[i] = (short) node.id().level();
            indexes[i] = node.id().index();
            hashes[i] = node.hash();
        }
        try (PreparedStatement statement = connection.prepareStatement(WRITE)) {
            statement.setArray(1, connection.createArrayOf("int2", levels));
            statement.setArray(2, connection.createArrayOf("int8", indexes));
            statement.setArray(3, connection.createArrayOf("bytea", hashes));
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new AuditStoreException("writing " + nodes.size() + " Merkle tree nodes failed: " + e.getMessage(), e);
        }
    }
}
