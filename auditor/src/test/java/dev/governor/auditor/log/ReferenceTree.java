package dev.governor.auditor.log;

import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 6962 §2.1 definitions (MTH, PATH, PROOF/SUBPROOF) written as literally as possible over a
 * list of leaf hashes: slow, obviously right, and independent of the node store.
 */
final class ReferenceTree {

    private final List<byte[]> leafHashes;

    ReferenceTree(List<byte[]> leafHashes) {
        this.leafHashes = leafHashes;
    }

    byte[] root(int size) {
        return mth(0, size);
    }

    List<byte[]> path(int m, int size) {
        return path(m, 0, size);
    }

    List<byte[]> proof(int m, int size) {
        if (m == 0 || m == size) {
            return List.of();
        }
        return subproof(m, 0, size, true);
    }

    private byte[] mth(int begin, int end) {
        int n = end - begin;
        if (n == 0) {
            return TreeHasher.emptyRoot();
        }
        if (n == 1) {
            return leafHashes.get(begin);
        }
        int k = largestPowerOfTwoBelow(n);
        return TreeHasher.hashChildren(mth(begin, begin + k), mth(begin + k, end));
    }

    private List<byte[]> path(int m, int begin, int end) {
        int n = end - begin;
        List<byte[]> result = new ArrayList<>();
        if (n == 1) {
            return result;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m < k) {
            result.addAll(path(m, begin, begin + k));
            result.add(mth(begin + k, end));
        } else {
            result.addAll(path(m - k, begin + k, end));
            result.add(mth(begin, begin + k));
        }
        return result;
    }

    private List<byte[]> subproof(int m, int begin, int end, boolean whole) {
        int n = end - begin;
        List<byte[]> result = new ArrayList<>();
        if (m == n) {
            if (!whole) {
                result.add(mth(begin, end));
            }
            return result;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            result.addAll(subproof(m, begin, begin + k, whole));
            result.add(mth(begin + k, end));
        } else {
            result.addAll(subproof(m - k, begin + k, end, false));
            result.add(mth(begin, begin + k));
        }
        return result;
    }

    private static int largestPowerOfTwoBelow(int n) {
        return Integer.highestOneBit(n - 1);
    }
}
