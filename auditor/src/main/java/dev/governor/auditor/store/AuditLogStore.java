package dev.governor.auditor.store;

import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.log.ConsistencyProof;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.MerkleLog;
import dev.governor.auditor.log.MissingNodeException;
import dev.governor.auditor.log.NodeId;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The audit log in PostgreSQL (schema: migration {@code V1__audit_log.sql}), used through the
 * caller's connection and transaction, so that a governance action commits together with its
 * audit entries or not at all.
 *
 * <p>Appends serialise on a transaction-scoped advisory lock: the next index is read after the
 * lock is taken, entries and the tree nodes they complete are inserted, and the lock is released
 * by the caller's commit or rollback. Several application instances may append concurrently; the
 * log gets neither gaps nor duplicates. Appends need READ COMMITTED isolation (PostgreSQL's
 * default), because a snapshot taken before the lock would not see the previous appender's rows.
 * The lock is held until the caller commits, so append as late in the transaction as possible and
 * batch events where many arrive together (one call per batch, not per event).
 *
 * <p>Stateless and thread-safe: one instance can serve every connection.
 */
public final class AuditLogStore {

    /** Advisory lock key of the audit log sequencer ("GovAudit" in ASCII). */
    public static final long SEQUENCER_LOCK_KEY = 0x476f764175646974L;

    private static final String NEXT_INDEX = "select coalesce(max(entry_index) + 1, 0) from audit_entry";
    private static final String INSERT_ENTRIES = """
            insert into audit_entry (entry_index, leaf, leaf_hash, event_type, proposal_id, actor, policy_revision, occurred_at)
            select entry_index, leaf, leaf_hash, event_type, proposal_id, actor, policy_revision, occurred_at::timestamptz
              from unnest(?::bigint[], ?::bytea[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                   with ordinality as t(entry_index, leaf, leaf_hash, event_type, proposal_id, actor, policy_revision,
                                        occurred_at, position)
             order by position
            """;
    private static final String ENTRY_COLUMNS =
            "entry_index, leaf, leaf_hash, event_type, proposal_id, actor, policy_revision, occurred_at";

    /**
     * Appends {@code events} in order, inside the caller's open transaction on {@code connection}.
     *
     * @throws AuditStoreException if the connection is in auto-commit mode or not READ COMMITTED,
     *                             or the database refuses the entries; the caller must roll back
     */
    public AppendResult append(Connection connection, List<AuditEvent> events) {
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("nothing to append: pass at least one audit event");
        }
        requireTransaction(connection);
        int count = events.size();
        Long[] indexes = new Long[count];
        byte[][] leaves = new byte[count][];
        byte[][] leafHashes = new byte[count][];
        String[] types = new String[count];
        String[] proposalIds = new String[count];
        String[] actors = new String[count];
        String[] revisions = new String[count];
        String[] times = new String[count];
        for (int i = 0; i < count; i++) {
            AuditEvent event = events.get(i);
            leaves[i] = event.leaf();
            leafHashes[i] = TreeHasher.hashLeaf(leaves[i]);
            types[i] = event.type();
            proposalIds[i] = event.proposalId();
            actors[i] = event.actor();
            revisions[i] = event.policyRevision();
            times[i] = event.occurredAt().toString();
        }
        try {
            lockSequencer(connection);
            long first = size(connection);
            for (int i = 0; i < count; i++) {
                indexes[i] = first + i;
            }
            try (PreparedStatement insert = connection.prepareStatement(INSERT_ENTRIES)) {
                insert.setArray(1, connection.createArrayOf("int8", indexes));
                insert.setArray(2, connection.createArrayOf("bytea", leaves));
                insert.setArray(3, connection.createArrayOf("bytea", leafHashes));
                insert.setArray(4, connection.createArrayOf("text", types));
                insert.setArray(5, connection.createArrayOf("text", proposalIds));
                insert.setArray(6, connection.createArrayOf("text", actors));
                insert.setArray(7, connection.createArrayOf("text", revisions));
                insert.setArray(8, connection.createArrayOf("text", times));
                insert.executeUpdate();
            }
            TreeHead head = new MerkleLog(new JdbcNodeStore(connection)).integrate(first, List.of(leafHashes));
            return new AppendResult(first, count, head);
        } catch (SQLException e) {
            throw new AuditStoreException("appending " + count + " audit entries failed: " + e.getMessage(), e);
        }
    }

    /** Appends one event; see {@link #append(Connection, List)}. Returns its index. */
    public long append(Connection connection, AuditEvent event) {
        return append(connection, List.of(event)).firstIndex();
    }

    /** Number of entries committed (or written by this transaction). */
    public long size(Connection connection) {
        try (PreparedStatement statement = connection.prepareStatement(NEXT_INDEX);
             ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new AuditStoreException("reading the audit log size failed: " + e.getMessage(), e);
        }
    }

    /** The current tree head. */
    public TreeHead treeHead(Connection connection) {
        return treeHead(connection, size(connection));
    }

    /** The tree head at {@code size} entries (at most the current size). */
    public TreeHead treeHead(Connection connection, long size) {
        try {
            return log(connection).treeHead(size);
        } catch (MissingNodeException e) {
            throw beyondTheLog(connection, size, e);
        }
    }

    /**
     * Proof that entry {@code index} is in the tree of {@code treeSize} entries. One query: the
     * nodes of the proof and the tree's last leaf, whose absence means the log is smaller.
     *
     * @throws IllegalArgumentException if the log has fewer than {@code treeSize} entries
     */
    public InclusionProof inclusionProof(Connection connection, long index, long treeSize) {
        try {
            return log(connection).inclusionProof(index, treeSize);
        } catch (MissingNodeException e) {
            throw beyondTheLog(connection, treeSize, e);
        }
    }

    /**
     * Proof that the tree of {@code fromSize} entries is a prefix of the one of {@code toSize}.
     *
     * @throws IllegalArgumentException if the log has fewer than {@code toSize} entries
     */
    public ConsistencyProof consistencyProof(Connection connection, long fromSize, long toSize) {
        try {
            return log(connection).consistencyProof(fromSize, toSize);
        } catch (MissingNodeException e) {
            throw beyondTheLog(connection, toSize, e);
        }
    }

    /** The entry at {@code index}, if the log has one. */
    public Optional<AuditEntry> entry(Connection connection, long index) {
        List<AuditEntry> found = entries(connection, index, index + 1);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Entries {@code [fromIndex, toIndex)} in index order, for exports and verification. */
    public List<AuditEntry> entries(Connection connection, long fromIndex, long toIndex) {
        String sql = "select " + ENTRY_COLUMNS + " from audit_entry where entry_index >= ? and entry_index < ? order by entry_index";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, fromIndex);
            statement.setLong(2, toIndex);
            return readEntries(statement);
        } catch (SQLException e) {
            throw new AuditStoreException("reading audit entries failed: " + e.getMessage(), e);
        }
    }

    /** Entries matching {@code query}, in index order. */
    public List<AuditEntry> entries(Connection connection, AuditQuery query) {
        StringBuilder sql = new StringBuilder("select ").append(ENTRY_COLUMNS).append(" from audit_entry where entry_index > ?");
        List<Object> parameters = new ArrayList<>();
        parameters.add(query.afterIndex());
        condition(sql, parameters, "proposal_id = ?", query.proposalId());
        condition(sql, parameters, "actor = ?", query.actor());
        condition(sql, parameters, "event_type = ?", query.type());
        condition(sql, parameters, "policy_revision = ?", query.policyRevision());
        condition(sql, parameters, "occurred_at >= ?::timestamptz", query.from() == null ? null : query.from().toString());
        condition(sql, parameters, "occurred_at < ?::timestamptz", query.to() == null ? null : query.to().toString());
        sql.append(" order by entry_index limit ?");
        parameters.add(query.limit());
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            return readEntries(statement);
        } catch (SQLException e) {
            throw new AuditStoreException("querying audit entries failed: " + e.getMessage(), e);
        }
    }

    /**
     * Signs the current tree head with {@code signer} and stores the checkpoint. When another
     * instance already published one for this size, that one is returned.
     */
    public StoredCheckpoint publishCheckpoint(Connection connection, CheckpointSigner signer) {
        TreeHead head = treeHead(connection);
        String note = signer.sign(head);
        String sql = """
                insert into audit_checkpoint (tree_size, root_hash, signed_note) values (?, ?, ?)
                on conflict (tree_size) do nothing
                """;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, head.size());
            statement.setBytes(2, head.rootHash());
            statement.setString(3, note);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new AuditStoreException("storing the checkpoint of size " + head.size() + " failed: " + e.getMessage(), e);
        }
        return checkpoint(connection, head.size())
                .orElseThrow(() -> new AuditStoreException("checkpoint of size " + head.size() + " vanished after insert"));
    }

    /** The checkpoint published for {@code treeSize}, if any. */
    public Optional<StoredCheckpoint> checkpoint(Connection connection, long treeSize) {
        return oneCheckpoint(connection, "where tree_size = ?", treeSize);
    }

    /** Every published checkpoint, smallest tree size first. */
    public List<StoredCheckpoint> checkpoints(Connection connection) {
        String sql = "select tree_size, root_hash, signed_note, published_at from audit_checkpoint order by tree_size";
        List<StoredCheckpoint> found = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                found.add(checkpointOf(row));
            }
        } catch (SQLException e) {
            throw new AuditStoreException("reading checkpoints failed: " + e.getMessage(), e);
        }
        return found;
    }

    /** The stored hashes of those of {@code ids} that exist, for audits that compare them with recomputed ones. */
    public Map<NodeId, byte[]> storedNodes(Connection connection, Collection<NodeId> ids) {
        return new JdbcNodeStore(connection).readPresent(ids);
    }

    /** The most recent (largest) published checkpoint, if any. */
    public Optional<StoredCheckpoint> latestCheckpoint(Connection connection) {
        return oneCheckpoint(connection, "order by tree_size desc limit 1", null);
    }

    private Optional<StoredCheckpoint> oneCheckpoint(Connection connection, String clause, Long treeSize) {
        String sql = "select tree_size, root_hash, signed_note, published_at from audit_checkpoint " + clause;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (treeSize != null) {
                statement.setLong(1, treeSize);
            }
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(checkpointOf(row));
            }
        } catch (SQLException e) {
            throw new AuditStoreException("reading checkpoints failed: " + e.getMessage(), e);
        }
    }

    private static StoredCheckpoint checkpointOf(ResultSet row) throws SQLException {
        return new StoredCheckpoint(new TreeHead(row.getLong(1), row.getBytes(2)), row.getString(3),
                row.getObject(4, OffsetDateTime.class).toInstant());
    }

    private static MerkleLog log(Connection connection) {
        return new MerkleLog(new JdbcNodeStore(connection));
    }

    /**
     * Nodes are written in the transaction that integrates their leaves, so a node missing for a
     * tree of {@code treeSize} means the log has not reached that size; the size is read only to
     * say so.
     */
    private IllegalArgumentException beyondTheLog(Connection connection, long treeSize, MissingNodeException cause) {
        long size = size(connection);
        if (treeSize <= size) {
            throw new AuditStoreException("the log has " + size + " entries but lacks a tree node of its first "
                    + treeSize + ": " + cause.getMessage(), cause);
        }
        return new IllegalArgumentException("tree size " + treeSize + " is beyond the log, which has " + size + " entries", cause);
    }

    private static void lockSequencer(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, SEQUENCER_LOCK_KEY);
            lock.execute();
        }
    }

    private static void requireTransaction(Connection connection) {
        try {
            if (connection.getAutoCommit()) {
                throw new AuditStoreException("audit entries must be appended inside the caller's transaction; "
                        + "the connection is in auto-commit mode");
            }
            if (connection.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
                throw new AuditStoreException("audit appends need READ COMMITTED isolation, so that the next index is "
                        + "read after the sequencer lock is taken; the connection uses level "
                        + connection.getTransactionIsolation());
            }
        } catch (SQLException e) {
            throw new AuditStoreException("cannot inspect the connection: " + e.getMessage(), e);
        }
    }

    private static void condition(StringBuilder sql, List<Object> parameters, String clause, Object value) {
        if (value != null) {
            sql.append(" and ").append(clause);
            parameters.add(value);
        }
    }

    private static List<AuditEntry> readEntries(PreparedStatement statement) throws SQLException {
        List<AuditEntry> entries = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                entries.add(new AuditEntry(rows.getLong(1), rows.getBytes(2), rows.getBytes(3), rows.getString(4),
                        rows.getString(5), rows.getString(6), rows.getString(7), rows.getObject(8, OffsetDateTime.class).toInstant()));
            }
        }
        return entries;
    }
}
