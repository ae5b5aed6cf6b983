package dev.governor.auditor.log;

import java.security.MessageDigest;
import java.util.List;

/**
 * Verification of inclusion and consistency proofs, following the algorithms of RFC 9162
 * §2.1.3.2 and §2.1.4.2. Every hash must be exactly 32 bytes; any deviation is a failure with a
 * message naming the check.
 */
public final class ProofVerifier {

    private ProofVerifier() {
    }

    /**
     * Checks that {@code leafHash} is leaf {@code proof.leafIndex()} of the tree of
     * {@code proof.treeSize()} leaves whose root is {@code rootHash}.
     *
     * @throws ProofVerificationException if it is not
     */
    public static void verifyInclusion(byte[] leafHash, InclusionProof proof, byte[] rootHash) {
        requireHash("root hash", rootHash);
        byte[] computed = rootFromInclusionProof(leafHash, proof);
        if (!MessageDigest.isEqual(computed, rootHash)) {
            throw new ProofVerificationException("inclusion proof of leaf " + proof.leafIndex() + " in tree of size "
                    + proof.treeSize() + " leads to root " + Hashes.hex(computed) + ", not the expected " + Hashes.hex(rootHash));
        }
    }

    /** Verifies {@code proof} against a tree head; the sizes must agree. */
    public static void verifyInclusion(byte[] leafHash, InclusionProof proof, TreeHead head) {
        if (proof.treeSize() != head.size()) {
            throw new ProofVerificationException("inclusion proof is for tree size " + proof.treeSize()
                    + " but the tree head has size " + head.size());
        }
        verifyInclusion(leafHash, proof, head.rootHash());
    }

    /** The root hash that an inclusion proof implies (RFC 9162 §2.1.3.2 steps 1–3). */
    public static byte[] rootFromInclusionProof(byte[] leafHash, InclusionProof proof) {
        requireHash("leaf hash", leafHash);
        long index = proof.leafIndex();
        long size = proof.treeSize();
        if (index < 0 || index >= size) {
            throw new ProofVerificationException("leaf index " + index + " is not inside a tree of size " + size);
        }
        List<byte[]> path = proof.hashes();
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (int i = 0; i < path.size(); i++) {
            byte[] p = requireHash("proof hash " + i, path.get(i));
            if (sn == 0) {
                throw new ProofVerificationException("inclusion proof has " + path.size()
                        + " hashes, more than a tree of size " + size + " needs for leaf " + index);
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = TreeHasher.hashChildren(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = TreeHasher.hashChildren(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new ProofVerificationException("inclusion proof has " + path.size()
                    + " hashes, fewer than a tree of size " + size + " needs for leaf " + index);
        }
        return r;
    }

    /**
     * Checks that the tree of {@code proof.fromSize()} leaves with root {@code fromRoot} is a prefix
     * of the tree of {@code proof.toSize()} leaves with root {@code toRoot}.
     *
     * @throws ProofVerificationException if it is not
     */
    public static void verifyConsistency(ConsistencyProof proof, byte[] fromRoot, byte[] toRoot) {
        requireHash("first root hash", fromRoot);
        requireHash("second root hash", toRoot);
        long first = proof.fromSize();
        long second = proof.toSize();
        List<byte[]> path = proof.hashes();
        if (first < 0 || first > second) {
            throw new ProofVerificationException("consistency proof needs 0 <= first size <= second size, got "
                    + first + " and " + second);
        }
        if (first == second) {
            if (!path.isEmpty()) {
                throw new ProofVerificationException("consistency proof between equal sizes must be empty, has "
                        + path.size() + " hashes");
            }
            if (!MessageDigest.isEqual(fromRoot, toRoot)) {
                throw new ProofVerificationException("trees of equal size " + first + " have different roots");
            }
            return;
        }
        if (first == 0) {
            if (!path.isEmpty()) {
                throw new ProofVerificationException("consistency proof from the empty tree must be empty, has "
                        + path.size() + " hashes");
            }
            if (!MessageDigest.isEqual(fromRoot, TreeHasher.emptyRoot())) {
                throw new ProofVerificationException("first root is not the root of the empty tree");
            }
            return;
        }
        if (path.isEmpty()) {
            throw new ProofVerificationException("consistency proof from size " + first + " to " + second + " is empty");
        }
        int start = 0;
        byte[] seed;
        if (Long.bitCount(first) == 1) {
            seed = fromRoot;
        } else {
            seed = requireHash("proof hash 0", path.get(0));
            start = 1;
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = seed;
        byte[] sr = seed;
        for (int i = start; i < path.size(); i++) {
            byte[] c = requireHash("proof hash " + i, path.get(i));
            if (sn == 0) {
                throw new ProofVerificationException("consistency proof has more hashes than sizes " + first
                        + " and " + second + " need");
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = TreeHasher.hashChildren(c, fr);
                sr = TreeHasher.hashChildren(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = TreeHasher.hashChildren(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new ProofVerificationException("consistency proof has fewer hashes than sizes " + first
                    + " and " + second + " need");
        }
        if (!MessageDigest.isEqual(fr, fromRoot)) {
            throw new ProofVerificationException("consistency proof does not lead to the first root of size " + first);
        }
        if (!MessageDigest.isEqual(sr, toRoot)) {
            throw new ProofVerificationException("consistency proof does not lead to the second root of size " + second);
        }
    }

    /** Verifies {@code proof} between two tree heads; the sizes must agree. */
    public static void verifyConsistency(ConsistencyProof proof, TreeHead from, TreeHead to) {
        if (proof.fromSize() != from.size() || proof.toSize() != to.size()) {
            throw new ProofVerificationException("consistency proof is for sizes " + proof.fromSize() + " and "
                    + proof.toSize() + " but the tree heads have sizes " + from.size() + " and " + to.size());
        }
        verifyConsistency(proof, from.rootHash(), to.rootHash());
    }

    private static byte[] requireHash(String what, byte[] hash) {
        if (hash == null || hash.length != TreeHasher.HASH_SIZE) {
            throw new ProofVerificationException(what + " must be " + TreeHasher.HASH_SIZE + " bytes, was "
                    + (hash == null ? "missing" : hash.length + " bytes"));
        }
        return hash;
    }
}
