package dev.governor.auditor.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.auditor.checkpoint.Checkpoint;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteException;
import dev.governor.auditor.checkpoint.NoteVerifier;
import dev.governor.auditor.log.CompactRange;
import dev.governor.auditor.log.ConsistencyProof;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.ProofVerificationException;
import dev.governor.auditor.log.ProofVerifier;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.store.AuditEvent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * Checks evidence without any access to Governor: only the log's origin and a verifier key the
 * regulator trusts (obtained out of band, never from the evidence itself).
 */
public final class OfflineVerifier {

    private final String origin;
    private final List<NoteVerifier> trusted;
    private final CheckpointVerifier checkpoints;

    public OfflineVerifier(String origin, List<NoteVerifier> trusted) {
        this.origin = origin;
        this.trusted = List.copyOf(trusted);
        this.checkpoints = new CheckpointVerifier(origin, trusted);
    }

    /** Verifies every entry of an evidence bundle against its checkpoint, and its consistency proofs. */
    public VerificationReport verifyBundle(EvidenceBundle bundle) {
        List<String> notes = new ArrayList<>();
        if (!origin.equals(bundle.origin())) {
            return VerificationReport.failed(0, 0, -1, "bundle is for origin '" + bundle.origin() + "', expected '" + origin + "'", notes);
        }
        if (trusted.stream().noneMatch(v -> v.verifierKey().equals(bundle.verifierKey()))) {
            notes.add("the bundle names verifier key " + bundle.verifierKey() + ", which is not among the trusted keys; only trusted keys were used");
        }
        Checkpoint checkpoint;
        try {
            checkpoint = checkpoints.open(bundle.checkpoint());
        } catch (NoteException e) {
            return VerificationReport.failed(0, 0, -1, "checkpoint rejected: " + e.getMessage(), notes);
        }
        long checked = 0;
        for (EvidenceBundle.Entry entry : bundle.entries()) {
            String problem = leafProblem(entry.leaf());
            if (problem == null) {
                try {
                    InclusionProof proof = new InclusionProof(entry.index(), checkpoint.size(), decodeAll(entry.inclusionProof()));
                    ProofVerifier.verifyInclusion(TreeHasher.hashLeaf(entry.leaf().getBytes(StandardCharsets.UTF_8)), proof,
                            checkpoint.treeHead());
                } catch (ProofVerificationException | EvidenceException e) {
                    problem = "inclusion proof does not verify: " + e.getMessage();
                }
            }
            if (problem != null) {
                return VerificationReport.failed(checked, checkpoint.size(), entry.index(), "entry " + entry.index() + ": " + problem, notes);
            }
            checked++;
        }
        for (EvidenceBundle.Consistency consistency : bundle.consistency()) {
            String problem = consistencyProblem(consistency.fromCheckpoint(), checkpoint, consistency.proof());
            if (problem != null) {
                return VerificationReport.failed(checked, checkpoint.size(), -1, problem, notes);
            }
            notes.add("consistent with the earlier checkpoint it carries");
        }
        return VerificationReport.ok(checked, checkpoint.size(), notes);
    }

    /**
     * Verifies a full log export (entries in index order) against a signed checkpoint: indexes
     * without gaps from 0, canonical leaves, leaf hashes, and the recomputed root at the
     * checkpoint's size. Entries after the checkpoint are checked but not covered by it.
     */
    public VerificationReport verifyExport(Iterator<ExportedEntry> entries, String signedCheckpoint) {
        List<String> notes = new ArrayList<>();
        Checkpoint checkpoint;
        try {
            checkpoint = checkpoints.open(signedCheckpoint);
        } catch (NoteException e) {
            return VerificationReport.failed(0, 0, -1, "checkpoint rejected: " + e.getMessage(), notes);
        }
        long size = checkpoint.size();
        CompactRange range = CompactRange.empty();
        boolean rootChecked = false;
        while (entries.hasNext()) {
            if (range.size() == size && !rootChecked) {
                String problem = rootProblem(range, checkpoint);
                if (problem != null) {
                    return VerificationReport.failed(range.size(), size, -1, problem, notes);
                }
                rootChecked = true;
            }
            long expected = range.size();
            ExportedEntry entry;
            try {
                entry = entries.next();
            } catch (EvidenceException e) {
                return VerificationReport.failed(expected, size, expected, e.getMessage(), notes);
            }
            if (entry.index() != expected) {
                return VerificationReport.failed(expected, size, expected, "expected entry " + expected + " but found entry "
                        + entry.index() + ": entries are missing, duplicated or out of order", notes);
            }
            String problem = leafProblem(entry.leaf());
            byte[] leafHash = TreeHasher.hashLeaf(entry.leaf() == null ? new byte[0] : entry.leaf().getBytes(StandardCharsets.UTF_8));
            if (problem == null && !matchesHex(leafHash, entry.leafHash())) {
                problem = "leaf hash " + entry.leafHash() + " is not SHA-256(0x00 || leaf) = " + HexFormat.of().formatHex(leafHash);
            }
            if (problem != null) {
                return VerificationReport.failed(expected, size, expected, "entry " + expected + ": " + problem, notes);
            }
            range.append(leafHash);
        }
        if (range.size() < size) {
            return VerificationReport.failed(range.size(), size, range.size(), "the export ends after " + range.size()
                    + " entries but the checkpoint covers " + size + ": the log was truncated", notes);
        }
        if (!rootChecked) {
            String problem = rootProblem(range, checkpoint);
            if (problem != null) {
                return VerificationReport.failed(range.size(), size, -1, problem, notes);
            }
        }
        if (range.size() > size) {
            notes.add((range.size() - size) + " entries after the checkpoint are well-formed but not covered by it");
        }
        return VerificationReport.ok(range.size(), size, notes);
    }

    /** Verifies a consistency proof (base64 hashes) between two signed checkpoints. */
    public VerificationReport verifyConsistency(String olderCheckpoint, String newerCheckpoint, List<String> proof) {
        Checkpoint newer;
        try {
            newer = checkpoints.open(newerCheckpoint);
        } catch (NoteException e) {
            return VerificationReport.failed(0, 0, -1, "newer checkpoint rejected: " + e.getMessage(), List.of());
        }
        String problem = consistencyProblem(olderCheckpoint, newer, proof);
        return problem == null ? VerificationReport.ok(0, newer.size(), List.of("the older checkpoint is a prefix of the newer one"))
                : VerificationReport.failed(0, newer.size(), -1, problem, List.of());
    }

    private String consistencyProblem(String olderCheckpoint, Checkpoint newer, List<String> proof) {
        Checkpoint older;
        try {
            older = checkpoints.open(olderCheckpoint);
        } catch (NoteException e) {
            return "older checkpoint rejected: " + e.getMessage();
        }
        try {
            ProofVerifier.verifyConsistency(new ConsistencyProof(older.size(), newer.size(), decodeAll(proof)),
                    older.treeHead(), newer.treeHead());
            return null;
        } catch (ProofVerificationException | EvidenceException e) {
            return "the checkpoint of size " + older.size() + " is not consistent with the one of size " + newer.size()
                    + ": " + e.getMessage();
        }
    }

    private static String rootProblem(CompactRange range, Checkpoint checkpoint) {
        if (MessageDigest.isEqual(range.root(), checkpoint.rootHash())) {
            return null;
        }
        return "the root of the first " + checkpoint.size() + " entries is not the signed checkpoint's root: an entry below "
                + checkpoint.size() + " was changed together with its leaf hash";
    }

    /** A leaf must be canonical JSON of an audit event, so that what a person reads is what was hashed. */
    private static String leafProblem(String leaf) {
        if (leaf == null) {
            return "leaf is missing";
        }
        try {
            JsonNode json = CanonicalJson.parse(leaf);
            if (!CanonicalJson.canonicalString(json).equals(leaf)) {
                return "leaf is not in RFC 8785 canonical form";
            }
            AuditEvent.fromJson(json);
            return null;
        } catch (IllegalArgumentException | DateTimeException e) {
            return "leaf is not a canonical audit event: " + e.getMessage();
        }
    }

    private static boolean matchesHex(byte[] hash, String hex) {
        return hex != null && HexFormat.of().formatHex(hash).equals(hex);
    }

    private static List<byte[]> decodeAll(List<String> base64) {
        List<byte[]> hashes = new ArrayList<>(base64.size());
        for (String hash : base64) {
            try {
                hashes.add(Base64.getDecoder().decode(hash));
            } catch (IllegalArgumentException e) {
                throw new EvidenceException("proof hash '" + hash + "' is not valid base64", e);
            }
        }
        return hashes;
    }
}
