package dev.governor.auditor.evidence;

import dev.governor.auditor.checkpoint.Checkpoint;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.store.AuditEntry;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.auditor.store.AuditQuery;
import dev.governor.auditor.store.StoredCheckpoint;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Builds evidence from the stored log: bundles for one proposal, and full exports. */
public final class EvidenceBundles {

    private static final int PAGE = 10_000;

    private final AuditLogStore store;
    private final CheckpointVerifier checkpoints;
    private final String verifierKey;

    /**
     * @param checkpoints opens the stored checkpoints (their origin and key are checked before use)
     * @param verifierKey the key to name in bundles, as published for regulators
     */
    public EvidenceBundles(AuditLogStore store, CheckpointVerifier checkpoints, String verifierKey) {
        this.store = store;
        this.checkpoints = checkpoints;
        this.verifierKey = verifierKey;
    }

    /**
     * Every entry about {@code proposalId} covered by {@code checkpoint}, with inclusion proofs
     * against it. Entries appended after the checkpoint are left out; publish a newer one first to
     * include them.
     */
    public EvidenceBundle forProposal(Connection connection, String proposalId, StoredCheckpoint checkpoint,
                                      String origin) {
        Checkpoint opened = checkpoints.open(checkpoint.signedNote());
        List<EvidenceBundle.Entry> entries = new ArrayList<>();
        AuditQuery query = AuditQuery.all().withProposalId(proposalId).page(-1, AuditQuery.MAX_LIMIT);
        List<AuditEntry> page;
        do {
            page = store.entries(connection, query);
            for (AuditEntry entry : page) {
                if (entry.index() >= opened.size()) {
                    break;
                }
                InclusionProof proof = store.inclusionProof(connection, entry.index(), opened.size());
                entries.add(new EvidenceBundle.Entry(entry.index(), entry.leafJson(), base64(proof.hashes())));
            }
            if (!page.isEmpty()) {
                query = query.page(page.get(page.size() - 1).index(), AuditQuery.MAX_LIMIT);
            }
        } while (page.size() == AuditQuery.MAX_LIMIT && page.get(page.size() - 1).index() < opened.size());
        return new EvidenceBundle(origin, verifierKey, checkpoint.signedNote(), entries, List.of());
    }

    /** Writes every entry below {@code size} as JSON Lines ({@link ExportedEntry}), in index order. */
    public static long export(Connection connection, AuditLogStore store, long size, Writer out) throws IOException {
        long written = 0;
        for (long from = 0; from < size; from += PAGE) {
            for (AuditEntry entry : store.entries(connection, from, Math.min(size, from + PAGE))) {
                out.write(EvidenceJson.write(new ExportedEntry(entry.index(),
                        new String(entry.leaf(), StandardCharsets.UTF_8), HexFormat.of().formatHex(entry.leafHash()))));
                out.write('\n');
                written++;
            }
        }
        out.flush();
        return written;
    }

    private static List<String> base64(List<byte[]> hashes) {
        List<String> encoded = new ArrayList<>(hashes.size());
        hashes.forEach(h -> encoded.add(Base64.getEncoder().encodeToString(h)));
        return encoded;
    }
}
