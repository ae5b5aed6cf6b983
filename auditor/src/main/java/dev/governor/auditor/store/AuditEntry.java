package dev.governor.auditor.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/** One stored entry of the audit log: its index, the leaf bytes and hash, and the query columns. */
public record AuditEntry(long index, byte[] leaf, byte[] leafHash, String type, String proposalId, String actor,
                         String policyRevision, Instant occurredAt) {

    public AuditEntry {
        leaf = leaf.clone();
        leafHash = leafHash.clone();
    }

    @Override
    public byte[] leaf() {
        return leaf.clone();
    }

    @Override
    public byte[] leafHash() {
        return leafHash.clone();
    }

    /** The leaf as text (canonical JSON). */
    public String leafJson() {
        return new String(leaf, StandardCharsets.UTF_8);
    }

    /** The event the leaf records. */
    public AuditEvent event() {
        return AuditEvent.fromLeaf(leaf);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AuditEntry that && index == that.index && Arrays.equals(leaf, that.leaf)
                && Arrays.equals(leafHash, that.leafHash);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(index) + Arrays.hashCode(leafHash);
    }

    @Override
    public String toString() {
        return "AuditEntry[" + index + " " + type + " " + HexFormat.of().formatHex(leafHash) + "]";
    }
}
