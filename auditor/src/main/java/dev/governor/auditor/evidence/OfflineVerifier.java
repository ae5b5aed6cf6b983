package dev.governor.auditor.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.auditor.canonical.CanonicalCheck;
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

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

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
        ExportCheck check;
        try {
            check = new ExportCheck(checkpoints.open(signedCheckpoint));
        } catch (NoteException e) {
            return VerificationReport.failed(0, 0, -1, "checkpoint rejected: " + e.getMessage(), List.of());
        }
        while (entries.hasNext()) {
            Checked checked;
            try {
                checked = check(entries.next());
            } catch (EvidenceException e) {
                checked = Checked.unreadable(e.getMessage());
            }
            VerificationReport failure = check.accept(checked);
            if (failure != null) {
                return failure;
            }
        }
        return check.finish();
    }

    /**
     * Verifies a full log export read as JSON Lines, with the same checks and the same report as
     * {@link #verifyExport(Iterator, String)}. Reading, parsing, the canonical-form check and the
     * leaf hash of each entry run on {@code threads} threads, a chunk of lines at a time; the
     * chunks are then taken in order, so the first bad index reported is the same.
     */
    public VerificationReport verifyExportLines(BufferedReader lines, String signedCheckpoint, int threads) throws IOException {
        return verifyExportLines(lines, signedCheckpoint, threads, checked -> { });
    }

    /** As {@link #verifyExportLines(BufferedReader, String, int)}, telling {@code progress} each entry count as it is verified. */
    public VerificationReport verifyExportLines(BufferedReader lines, String signedCheckpoint, int threads, LongConsumer progress)
            throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        ExportCheck check;
        try {
            check = new ExportCheck(checkpoints.open(signedCheckpoint));
        } catch (NoteException e) {
            return VerificationReport.failed(0, 0, -1, "checkpoint rejected: " + e.getMessage(), List.of());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "governor-verify");
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Future<Checked[]>> inFlight = new ArrayDeque<>();
        try {
            long lineNumber = 0;
            boolean more = true;
            while (more || !inFlight.isEmpty()) {
                while (more && inFlight.size() < threads * 4) {
                    String[] chunk = new String[CHUNK];
                    long[] numbers = new long[CHUNK];
                    int n = 0;
                    String line;
                    while (n < CHUNK && (line = lines.readLine()) != null) {
                        lineNumber++;
                        if (!line.isBlank()) {
                            chunk[n] = line;
                            numbers[n++] = lineNumber;
                        }
                    }
                    more = n == CHUNK;
                    if (n > 0) {
                        int count = n;
                        inFlight.add(pool.submit(() -> checkLines(chunk, numbers, count)));
                    }
                }
                if (inFlight.isEmpty()) {
                    break;
                }
                for (Checked checked : take(inFlight.poll())) {
                    VerificationReport failure = check.accept(checked);
                    if (failure != null) {
                        return failure;
                    }
                    progress.accept(check.checked());
                }
            }
            return check.finish();
        } finally {
            pool.shutdownNow();
        }
    }

    private static final int CHUNK = 2048;

    private static Checked[] checkLines(String[] lines, long[] numbers, int count) {
        Checked[] out = new Checked[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = check(EvidenceJson.readExportLine(lines[i], numbers[i]));
            } catch (EvidenceException e) {
                out[i] = Checked.unreadable(e.getMessage());
            }
        }
        return out;
    }

    private static Checked[] take(Future<Checked[]> chunk) {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("checking a chunk of the export failed: " + e.getCause(), e.getCause());
        }
    }

    /** What one export line says, checked on its own: its index, its leaf hash, and what is wrong with it. */
    private record Checked(long index, byte[] leafHash, String problem, String unreadable) {
        static Checked unreadable(String why) {
            return new Checked(-1, null, null, why);
        }
    }

    private static Checked check(ExportedEntry entry) {
        String problem = leafProblem(entry.leaf());
        byte[] leafHash = TreeHasher.hashLeaf(entry.leaf() == null ? new byte[0] : entry.leaf().getBytes(StandardCharsets.UTF_8));
        if (problem == null && !matchesHex(leafHash, entry.leafHash())) {
            problem = "leaf hash " + entry.leafHash() + " is not SHA-256(0x00 || leaf) = " + HexFormat.of().formatHex(leafHash);
        }
        return new Checked(entry.index(), leafHash, problem, null);
    }

    /** The in-order part of verifying an export: indexes without gaps, the tree, the root at the checkpoint's size. */
    private static final class ExportCheck {
        private final Checkpoint checkpoint;
        private final long size;
        private final CompactRange range = CompactRange.empty();
        private final List<String> notes = new ArrayList<>();
        private boolean rootChecked;

        ExportCheck(Checkpoint checkpoint) {
            this.checkpoint = checkpoint;
            this.size = checkpoint.size();
        }

        long checked() {
            return range.size();
        }

        /** Takes the next entry; returns the failure it shows, or null. */
        VerificationReport accept(Checked entry) {
            if (range.size() == size && !rootChecked) {
                String problem = rootProblem(range, checkpoint);
                if (problem != null) {
                    return VerificationReport.failed(range.size(), size, -1, problem, notes);
                }
                rootChecked = true;
            }
            long expected = range.size();
            if (entry.unreadable() != null) {
                return VerificationReport.failed(expected, size, expected, entry.unreadable(), notes);
            }
            if (entry.index() != expected) {
                return VerificationReport.failed(expected, size, expected, "expected entry " + expected + " but found entry "
                        + entry.index() + ": entries are missing, duplicated or out of order", notes);
            }
            if (entry.problem() != null) {
                return VerificationReport.failed(expected, size, expected, "entry " + expected + ": " + entry.problem(), notes);
            }
            range.append(entry.leafHash());
            return null;
        }

        VerificationReport finish() {
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
        // The one-pass check settles the common case; anything it does not accept is parsed to say why.
        String[] fields = CanonicalCheck.check(leaf, "type", "occurredAt");
        if (fields != null && leaf.startsWith("{")) {
            try {
                AuditEvent.requireEvent(fields[0], fields[1]);
                return null;
            } catch (IllegalArgumentException | DateTimeException e) {
                return "leaf is not a canonical audit event: " + e.getMessage();
            }
        }
        try {
            JsonNode json = CanonicalJson.parse(leaf);
            if (!CanonicalJson.canonicalString(json).equals(leaf)) {
                return "leaf is not in RFC 8785 canonical form";
            }
            AuditEvent.requireEvent(json);
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
