package dev.governor.auditor.evidence;

import dev.governor.auditor.checkpoint.Checkpoint;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteException;
import dev.governor.auditor.log.CompactRange;
import dev.governor.auditor.log.Node;
import dev.governor.auditor.log.NodeId;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.store.AuditEntry;
import dev.governor.auditor.store.AuditEvent;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.auditor.store.StoredCheckpoint;

import java.security.MessageDigest;
import java.sql.Connection;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Full audit of the stored log, for an operator or auditor with read access to the database:
 * recomputes every leaf hash and tree node from the entries and compares them with what is stored
 * and with every signed checkpoint, naming the first entry that does not match.
 *
 * <p>Checks, in index order: indexes without gaps from 0; leaf hash = SHA-256(0x00 || leaf); the
 * query columns equal the leaf's fields; every tree node the entry completes equals the stored
 * node; every stored checkpoint is validly signed and its root equals the recomputed root; and
 * no checkpoint covers more entries than exist.
 */
public final class StoredLogAudit {

    private static final int PAGE = 10_000;

    private final AuditLogStore store;
    private final CheckpointVerifier checkpoints;

    public StoredLogAudit(AuditLogStore store, CheckpointVerifier checkpoints) {
        this.store = store;
        this.checkpoints = checkpoints;
    }

    public VerificationReport audit(Connection connection) {
        List<String> notes = new ArrayList<>();
        List<StoredCheckpoint> stored = store.checkpoints(connection);
        List<Checkpoint> signed = new ArrayList<>();
        for (StoredCheckpoint checkpoint : stored) {
            try {
                Checkpoint opened = checkpoints.open(checkpoint.signedNote());
                if (!opened.treeHead().equals(checkpoint.treeHead())) {
                    return VerificationReport.failed(0, opened.size(), -1, "stored checkpoint columns of size "
                            + checkpoint.treeHead().size() + " differ from its signed note", notes);
                }
                signed.add(opened);
            } catch (NoteException e) {
                return VerificationReport.failed(0, checkpoint.treeHead().size(), -1, "stored checkpoint of size "
                        + checkpoint.treeHead().size() + " is rejected: " + e.getMessage(), notes);
            }
        }
        long size = store.size(connection);
        long covered = signed.isEmpty() ? 0 : signed.get(signed.size() - 1).size();
        CompactRange range = CompactRange.empty();
        int nextCheckpoint = 0;
        long lastGood = 0;
        for (long from = 0; from < size; from += PAGE) {
            long to = Math.min(size, from + PAGE);
            List<AuditEntry> page = store.entries(connection, from, to);
            Map<NodeId, byte[]> storedNodes = store.storedNodes(connection, nodesCompletedBy(from, to));
            for (AuditEntry entry : page) {
                long expected = range.size();
                while (nextCheckpoint < signed.size() && signed.get(nextCheckpoint).size() == expected) {
                    String problem = checkpointProblem(range, signed.get(nextCheckpoint), lastGood);
                    if (problem != null) {
                        return VerificationReport.failed(expected, covered, lastGood, problem, notes);
                    }
                    lastGood = expected;
                    nextCheckpoint++;
                }
                if (entry.index() != expected) {
                    return VerificationReport.failed(expected, covered, expected, "entry " + expected
                            + " is missing (next stored entry is " + entry.index() + ")", notes);
                }
                byte[] leafHash = TreeHasher.hashLeaf(entry.leaf());
                if (!MessageDigest.isEqual(leafHash, entry.leafHash())) {
                    return VerificationReport.failed(expected, covered, expected, "entry " + expected
                            + ": stored leaf hash is not SHA-256(0x00 || leaf); the leaf or its hash was changed", notes);
                }
                String columns = columnProblem(entry);
                if (columns != null) {
                    return VerificationReport.failed(expected, covered, expected, "entry " + expected + ": " + columns, notes);
                }
                for (Node node : range.append(leafHash)) {
                    byte[] storedHash = storedNodes.get(node.id());
                    if (storedHash == null || !MessageDigest.isEqual(storedHash, node.hash())) {
                        long first = node.id().firstLeaf();
                        String what = storedHash == null ? "never integrated (its tree node is missing)"
                                : "not matching the stored tree node level " + node.id().level() + " index " + node.id().index();
                        return VerificationReport.failed(first, covered, first, "entries " + first + ".." + expected
                                + " are " + what + "; an entry or the tree was changed", notes);
                    }
                }
            }
            if (range.size() < to) {
                long missing = range.size();
                return VerificationReport.failed(missing, covered, missing, "entry " + missing + " is missing", notes);
            }
        }
        while (nextCheckpoint < signed.size() && signed.get(nextCheckpoint).size() == range.size()) {
            String problem = checkpointProblem(range, signed.get(nextCheckpoint), lastGood);
            if (problem != null) {
                return VerificationReport.failed(range.size(), covered, lastGood, problem, notes);
            }
            lastGood = range.size();
            nextCheckpoint++;
        }
        if (nextCheckpoint < signed.size()) {
            long claimed = signed.get(nextCheckpoint).size();
            return VerificationReport.failed(range.size(), covered, range.size(), "a signed checkpoint covers " + claimed
                    + " entries but the log holds " + range.size() + ": entries from " + range.size() + " were removed", notes);
        }
        notes.add(signed.size() + " signed checkpoint(s) matched");
        if (range.size() > covered) {
            notes.add((range.size() - covered) + " entries after the latest checkpoint are not yet covered by a signature");
        }
        return VerificationReport.ok(range.size(), covered, notes);
    }

    /** Ids of the nodes that leaves {@code [from, to)} complete: each leaf, and each subtree it is the last leaf of. */
    private static List<NodeId> nodesCompletedBy(long from, long to) {
        List<NodeId> ids = new ArrayList<>((int) (2 * (to - from)));
        for (long leaf = from; leaf < to; leaf++) {
            ids.add(new NodeId(0, leaf));
            long count = leaf + 1;
            for (int level = 1; (count & ((1L << level) - 1)) == 0; level++) {
                ids.add(new NodeId(level, (count >> level) - 1));
            }
        }
        return ids;
    }

    private static String checkpointProblem(CompactRange range, Checkpoint checkpoint, long lastGood) {
        if (MessageDigest.isEqual(range.root(), checkpoint.rootHash())) {
            return null;
        }
        return "the entries do not have the root signed in the checkpoint of size " + checkpoint.size()
                + ": an entry in " + lastGood + ".." + (checkpoint.size() - 1) + " was changed together with its hash and tree nodes";
    }

    private static String columnProblem(AuditEntry entry) {
        AuditEvent event;
        try {
            event = entry.event();
        } catch (IllegalArgumentException | DateTimeException e) {
            return "leaf is not a canonical audit event: " + e.getMessage();
        }
        if (!Objects.equals(event.type(), entry.type()) || !Objects.equals(event.proposalId(), entry.proposalId())
                || !Objects.equals(event.actor(), entry.actor()) || !Objects.equals(event.policyRevision(), entry.policyRevision())
                || !event.occurredAt().equals(entry.occurredAt())) {
            return "query columns (type, proposal, actor, policy revision, time) differ from the signed leaf";
        }
        return null;
    }
}
