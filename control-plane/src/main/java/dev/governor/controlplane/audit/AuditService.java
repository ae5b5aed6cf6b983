package dev.governor.controlplane.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.evidence.EvidenceBundles;
import dev.governor.auditor.evidence.EvidenceJson;
import dev.governor.auditor.log.ConsistencyProof;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.store.AuditEntry;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.auditor.store.AuditQuery;
import dev.governor.auditor.store.StoredCheckpoint;
import dev.governor.controlplane.problem.ProblemException;
import io.agroal.api.AgroalDataSource;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The regulator's view of the log: entries, proofs, checkpoints and evidence bundles. */
@ApplicationScoped
public class AuditService {

    private final AuditLogStore store;
    private final AuditKeys keys;
    private final CheckpointService checkpoints;
    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;

    public AuditService(AuditLogStore store, AuditKeys keys, CheckpointService checkpoints, AgroalDataSource dataSource,
                        ObjectMapper mapper) {
        this.store = store;
        this.keys = keys;
        this.checkpoints = checkpoints;
        this.dataSource = dataSource;
        this.mapper = mapper;
    }

    @WithSpan("AuditService.entries")
    public ObjectNode entries(AuditQuery query) {
        List<AuditEntry> page = read(c -> store.entries(c, query));
        ObjectNode result = mapper.createObjectNode();
        ArrayNode items = result.putArray("entries");
        for (AuditEntry e : page) {
            ObjectNode item = items.addObject();
            item.put("index", e.index());
            item.put("leafHash", HexFormat.of().formatHex(e.leafHash()));
            item.put("type", e.type());
            item.put("proposalId", e.proposalId());
            item.put("actor", e.actor());
            item.put("policyRevision", e.policyRevision());
            item.put("occurredAt", e.occurredAt().toString());
            item.put("leaf", e.leafJson());
        }
        if (page.size() == query.limit()) {
            result.put("nextAfter", page.get(page.size() - 1).index());
        }
        return result;
    }

    /**
     * Proof that entry {@code index} is in the tree of {@code treeSize} entries (default: the newest
     * signed tree), read on one connection. Proofs are against checkpoints already signed (every
     * few seconds, by {@link CheckpointService}); a read never signs one, except the very first.
     */
    @WithSpan("AuditService.inclusion")
    public ObjectNode inclusion(long index, Long treeSize) {
        StoredCheckpoint newest = newestCovering(treeSize);
        long signed = newest.treeHead().size();
        long size = treeSize != null ? treeSize : signed;
        if (index < 0 || index >= size || size > signed) {
            throw ProblemException.badRequest("out-of-range", "Entry " + index + " is not in a tree of size " + size
                    + "; the newest signed tree has " + signed + " entries");
        }
        return read(c -> {
            AuditEntry entry = store.entry(c, index).orElseThrow(() -> ProblemException.notFound("No audit entry " + index));
            InclusionProof proof = store.inclusionProof(c, index, size);
            ObjectNode node = mapper.createObjectNode();
            node.put("leafIndex", proof.leafIndex());
            node.put("treeSize", proof.treeSize());
            node.put("leafHash", Base64.getEncoder().encodeToString(entry.leafHash()));
            node.put("leaf", entry.leafJson());
            hashes(node, proof.hashes());
            (size == signed ? Optional.of(newest) : store.checkpoint(c, size)).ifPresent(k -> node.put("checkpoint", k.signedNote()));
            return node;
        });
    }

    @WithSpan("AuditService.consistency")
    public ObjectNode consistency(long from, long to) {
        long signed = newestCovering(to).treeHead().size();
        if (from < 0 || from > to || to > signed) {
            throw ProblemException.badRequest("out-of-range", "Need 0 <= from <= to <= " + signed
                    + " (the newest signed tree size)");
        }
        return read(c -> {
            ConsistencyProof proof = store.consistencyProof(c, from, to);
            ObjectNode node = mapper.createObjectNode();
            node.put("fromSize", proof.fromSize());
            node.put("toSize", proof.toSize());
            hashes(node, proof.hashes());
            store.checkpoint(c, from).ifPresent(k -> node.put("fromCheckpoint", k.signedNote()));
            store.checkpoint(c, to).ifPresent(k -> node.put("toCheckpoint", k.signedNote()));
            return node;
        });
    }

    /**
     * The newest stored checkpoint, read again when a caller names a bigger tree than the one last
     * seen. Proofs are against checkpoints already signed (every few seconds, by
     * {@link CheckpointService}): a read never signs one, except the first of all.
     */
    private StoredCheckpoint newestCovering(Long treeSize) {
        StoredCheckpoint newest = checkpoints.newestStored();
        return treeSize != null && treeSize > newest.treeHead().size() ? checkpoints.refreshNewest() : newest;
    }

    /** Every entry about the proposal with its inclusion proof against a checkpoint signed now. */
    @WithSpan("AuditService.evidence")
    public String evidence(String proposalId) {
        StoredCheckpoint cp = checkpoints.current();
        return read(c -> EvidenceJson.write(new EvidenceBundles(store, keys.verifier(), keys.verifierKey())
                .forProposal(c, proposalId, cp, keys.origin())));
    }

    public String checkpoint() {
        return checkpoints.current().signedNote();
    }

    private static void hashes(ObjectNode node, List<byte[]> hashes) {
        ArrayNode array = node.putArray("hashes");
        hashes.forEach(h -> array.add(Base64.getEncoder().encodeToString(h)));
    }

    private <T> T read(SqlFunction<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the audit log failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }
}
