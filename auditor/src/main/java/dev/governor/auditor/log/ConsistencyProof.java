package dev.governor.auditor.log;

import java.util.List;

/** RFC 9162 §2.1.4 consistency proof: the tree of {@code fromSize} leaves is a prefix of the one of {@code toSize}. */
public record ConsistencyProof(long fromSize, long toSize, List<byte[]> hashes) {

    public ConsistencyProof {
        hashes = Hashes.unmodifiableCopy(hashes);
    }

    @Override
    public List<byte[]> hashes() {
        return Hashes.copyOf(hashes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConsistencyProof that && fromSize == that.fromSize && toSize == that.toSize
                && Hashes.equal(hashes, that.hashes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(fromSize) + Long.hashCode(toSize)) + Hashes.hashCode(hashes);
    }

    @Override
    public String toString() {
        return "ConsistencyProof[fromSize=" + fromSize + ", toSize=" + toSize + ", hashes=" + Hashes.base64(hashes) + "]";
    }
}
