package dev.governor.auditor.evidence;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.log.InMemoryNodeStore;
import dev.governor.auditor.log.MerkleLog;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.store.AuditEvent;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** A signed log of audit events held in memory, and the evidence a regulator would receive from it. */
final class InMemoryEvidence {

    static final String ORIGIN = "governor.dev/audit/evidence-test";

    final NoteSigner key = NoteSigner.generate(ORIGIN, new SecureRandom());
    final CheckpointSigner signer = new CheckpointSigner(ORIGIN, key);
    final MerkleLog log = new MerkleLog(new InMemoryNodeStore());
    final List<String> leaves = new ArrayList<>();

    InMemoryEvidence(int size) {
        append(size);
    }

    void append(int count) {
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = leaves.size();
            AuditEvent event = new AuditEvent(n % 2 == 0 ? "approval" : "policy.decision", "p-" + (n % 5), "officer-" + (n % 3),
                    "rev-1", Instant.parse("2026-11-25T10:00:00Z").plusSeconds(n),
                    JsonNodeFactory.instance.objectNode().put("n", n).put("text", "caf\u00e9 \u2014 " + n));
            String leaf = new String(event.leaf(), StandardCharsets.UTF_8);
            leaves.add(leaf);
            hashes.add(TreeHasher.hashLeaf(event.leaf()));
        }
        log.integrate(leaves.size() - count, hashes);
    }

    String checkpoint() {
        return signer.sign(log.treeHead(leaves.size()));
    }

    String checkpoint(long size) {
        return signer.sign(log.treeHead(size));
    }

    List<ExportedEntry> export() {
        List<ExportedEntry> export = new ArrayList<>();
        for (int i = 0; i < leaves.size(); i++) {
            export.add(new ExportedEntry(i, leaves.get(i), hexHash(leaves.get(i))));
        }
        return export;
    }

    EvidenceBundle bundleFor(String proposalId, long olderSize) {
        long size = leaves.size();
        List<EvidenceBundle.Entry> entries = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (leaves.get(i).contains("\"proposalId\":\"" + proposalId + "\"")) {
                entries.add(new EvidenceBundle.Entry(i, leaves.get(i), base64(log.inclusionProof(i, size).hashes())));
            }
        }
        List<EvidenceBundle.Consistency> consistency = List.of(new EvidenceBundle.Consistency(checkpoint(olderSize),
                base64(log.consistencyProof(olderSize, size).hashes())));
        return new EvidenceBundle(ORIGIN, key.verifier().verifierKey(), checkpoint(), entries, consistency);
    }

    static String hexHash(String leaf) {
        return HexFormat.of().formatHex(TreeHasher.hashLeaf(leaf.getBytes(StandardCharsets.UTF_8)));
    }

    static List<String> base64(List<byte[]> hashes) {
        return hashes.stream().map(h -> Base64.getEncoder().encodeToString(h)).toList();
    }
}
