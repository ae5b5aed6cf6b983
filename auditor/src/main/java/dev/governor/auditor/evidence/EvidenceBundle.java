package dev.governor.auditor.evidence;

import java.util.List;

/**
 * Everything a regulator needs to check, offline, that a set of audit entries is in the log: the
 * log's origin and verifier key, a signed checkpoint, each entry's leaf (canonical JSON) with its
 * inclusion proof against that checkpoint, and optionally consistency proofs from earlier
 * checkpoints the regulator already holds. Serialised as JSON by {@link EvidenceJson}.
 */
public record EvidenceBundle(String origin, String verifierKey, String checkpoint, List<Entry> entries,
                             List<Consistency> consistency) {

    public EvidenceBundle {
        entries = List.copyOf(entries);
        consistency = consistency == null ? List.of() : List.copyOf(consistency);
    }

    /** One entry: its index, its leaf as canonical JSON text, and the audit path to the checkpoint's root (base64). */
    public record Entry(long index, String leaf, List<String> inclusionProof) {
        public Entry {
            inclusionProof = List.copyOf(inclusionProof);
        }
    }

    /** A consistency proof (base64 hashes) from an earlier signed checkpoint to the bundle's checkpoint. */
    public record Consistency(String fromCheckpoint, List<String> proof) {
        public Consistency {
            proof = List.copyOf(proof);
        }
    }
}
