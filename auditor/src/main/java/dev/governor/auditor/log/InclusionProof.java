package dev.governor.auditor.log;

import java.util.List;

/** RFC 9162 §2.1.3 inclusion proof: the audit path of {@code leafIndex} in the tree of {@code treeSize} leaves. */
public record InclusionProof(long leafIndex, long treeSize, List<byte[]> hashes) {

    public InclusionProof {
        hashes = Hashes.unmodifiableCopy(hashes);
    }

    @Override
    public List<byte[]> hashes() {
        return Hashes.copyOf(hashes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InclusionProof that && leafIndex == that.leafIndex && treeSize == that.treeSize
                && Hashes.equal(hashes, that.hashes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(leafIndex) + Long.hashCode(treeSize)) + Hashes.hashCode(hashes);
    }

    @Override
    public String toString() {
        return "InclusionProof[leafIndex=" + leafIndex + ", treeSize=" + treeSize + ", hashes=" + Hashes.base64(hashes) + "]";
    }
}
