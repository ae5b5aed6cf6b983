package dev.governor.auditor.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Generates every corruption of a good proof that a verifier must reject: each single bit flip in
 * each hash, dropped, duplicated, inserted and swapped proof elements, garbage before or after,
 * swapped roots and proofs that claim other sizes or indices than the signed tree heads.
 */
final class ProofCorruptions {

    record Case(String name, Runnable verification) {
        @Override
        public String toString() {
            return name;
        }
    }

    private ProofCorruptions() {
    }

    static List<Case> ofInclusion(byte[] leafHash, InclusionProof good, TreeHead head) {
        List<Case> cases = new ArrayList<>();
        List<byte[]> path = good.hashes();
        long index = good.leafIndex();
        long size = good.treeSize();

        for (int bit = 0; bit < leafHash.length * 8; bit++) {
            byte[] flipped = flip(leafHash, bit);
            cases.add(new Case("leaf hash bit " + bit + " flipped",
                    () -> ProofVerifier.verifyInclusion(flipped, good, head)));
        }
        byte[] root = head.rootHash();
        for (int bit = 0; bit < root.length * 8; bit++) {
            TreeHead forged = new TreeHead(head.size(), flip(root, bit));
            cases.add(new Case("root bit " + bit + " flipped",
                    () -> ProofVerifier.verifyInclusion(leafHash, good, forged)));
        }
        forEachPathCorruption(path, (named) -> cases.add(new Case("proof " + named.name,
                () -> ProofVerifier.verifyInclusion(leafHash, new InclusionProof(index, size, named.path), head))));

        for (long wrongIndex : new long[] {index + 1, index - 1, index ^ 1, index ^ 2, index ^ 4, index + size, -1, size}) {
            if (wrongIndex != index) {
                cases.add(new Case("leaf index " + wrongIndex + " instead of " + index,
                        () -> ProofVerifier.verifyInclusion(leafHash, new InclusionProof(wrongIndex, size, path), head)));
            }
        }
        for (long wrongSize : new long[] {size + 1, size - 1, size * 2, size / 2, 0, index}) {
            if (wrongSize != size) {
                cases.add(new Case("proof claims tree size " + wrongSize + " instead of " + size,
                        () -> ProofVerifier.verifyInclusion(leafHash, new InclusionProof(index, wrongSize, path), head)));
                cases.add(new Case("tree head of size " + wrongSize + " instead of " + size,
                        () -> ProofVerifier.verifyInclusion(leafHash, good, new TreeHead(Math.max(0, wrongSize), root))));
            }
        }
        cases.add(new Case("root replaced by the empty root",
                () -> ProofVerifier.verifyInclusion(leafHash, good, new TreeHead(size, TreeHasher.emptyRoot()))));
        if (!Arrays.equals(leafHash, root)) {
            cases.add(new Case("leaf hash and root swapped",
                    () -> ProofVerifier.verifyInclusion(root, good, new TreeHead(size, leafHash))));
        }
        return cases;
    }

    static List<Case> ofConsistency(ConsistencyProof good, TreeHead from, TreeHead to) {
        List<Case> cases = new ArrayList<>();
        byte[] root1 = from.rootHash();
        byte[] root2 = to.rootHash();
        long size1 = good.fromSize();
        long size2 = good.toSize();
        List<byte[]> path = good.hashes();

        for (int bit = 0; bit < root1.length * 8; bit++) {
            TreeHead forged = new TreeHead(size1, flip(root1, bit));
            cases.add(new Case("first root bit " + bit + " flipped",
                    () -> ProofVerifier.verifyConsistency(good, forged, to)));
        }
        for (int bit = 0; bit < root2.length * 8; bit++) {
            TreeHead forged = new TreeHead(size2, flip(root2, bit));
            cases.add(new Case("second root bit " + bit + " flipped",
                    () -> ProofVerifier.verifyConsistency(good, from, forged)));
        }
        forEachPathCorruption(path, (named) -> cases.add(new Case("proof " + named.name,
                () -> ProofVerifier.verifyConsistency(new ConsistencyProof(size1, size2, named.path), from, to))));
        if (!Arrays.equals(root1, root2)) {
            cases.add(new Case("roots swapped", () -> ProofVerifier.verifyConsistency(good,
                    new TreeHead(size1, root2), new TreeHead(size2, root1))));
        }
        List<byte[]> withRoot1First = new ArrayList<>(path);
        withRoot1First.add(0, root1);
        cases.add(new Case("first root prepended to the proof", () -> ProofVerifier.verifyConsistency(
                new ConsistencyProof(size1, size2, withRoot1First), from, to)));
        List<byte[]> withRoot2Last = new ArrayList<>(path);
        withRoot2Last.add(root2);
        cases.add(new Case("second root appended to the proof", () -> ProofVerifier.verifyConsistency(
                new ConsistencyProof(size1, size2, withRoot2Last), from, to)));
        for (long[] sizes : new long[][] {{size1 + 1, size2}, {size1 - 1, size2}, {size1, size2 + 1},
                {size1, size2 - 1}, {size1 * 2, size2}, {size1, size2 * 2}, {size1 / 2, size2}, {size1, size2 / 2},
                {size2, size1}, {size1 ^ 2, size2}}) {
            long s1 = sizes[0];
            long s2 = sizes[1];
            if (s1 == size1 && s2 == size2) {
                continue;
            }
            cases.add(new Case("proof claims sizes " + s1 + " and " + s2 + " instead of " + size1 + " and " + size2,
                    () -> ProofVerifier.verifyConsistency(new ConsistencyProof(s1, s2, path), from, to)));
            if (s1 >= 0 && s2 >= 0) {
                cases.add(new Case("tree heads of sizes " + s1 + " and " + s2 + " instead of " + size1 + " and " + size2,
                        () -> ProofVerifier.verifyConsistency(good, new TreeHead(s1, root1), new TreeHead(s2, root2))));
            }
        }
        return cases;
    }

    private record NamedPath(String name, List<byte[]> path) {
    }

    private static void forEachPathCorruption(List<byte[]> path, Consumer<NamedPath> sink) {
        for (int i = 0; i < path.size(); i++) {
            for (int bit = 0; bit < TreeHasher.HASH_SIZE * 8; bit++) {
                List<byte[]> corrupted = new ArrayList<>(path);
                corrupted.set(i, flip(path.get(i), bit));
                sink.accept(new NamedPath("hash " + i + " bit " + bit + " flipped", corrupted));
            }
            List<byte[]> removed = new ArrayList<>(path);
            removed.remove(i);
            sink.accept(new NamedPath("hash " + i + " removed", removed));
            List<byte[]> duplicated = new ArrayList<>(path);
            duplicated.add(i, path.get(i));
            sink.accept(new NamedPath("hash " + i + " duplicated", duplicated));
            List<byte[]> shortened = new ArrayList<>(path);
            shortened.set(i, Arrays.copyOf(path.get(i), TreeHasher.HASH_SIZE - 1));
            sink.accept(new NamedPath("hash " + i + " truncated to 31 bytes", shortened));
            List<byte[]> lengthened = new ArrayList<>(path);
            lengthened.set(i, Arrays.copyOf(path.get(i), TreeHasher.HASH_SIZE + 1));
            sink.accept(new NamedPath("hash " + i + " extended to 33 bytes", lengthened));
            if (i + 1 < path.size() && !Arrays.equals(path.get(i), path.get(i + 1))) {
                List<byte[]> swapped = new ArrayList<>(path);
                swapped.set(i, path.get(i + 1));
                swapped.set(i + 1, path.get(i));
                sink.accept(new NamedPath("hashes " + i + " and " + (i + 1) + " swapped", swapped));
            }
        }
        for (int position = 0; position <= path.size(); position++) {
            List<byte[]> withGarbage = new ArrayList<>(path);
            withGarbage.add(position, new byte[TreeHasher.HASH_SIZE]);
            sink.accept(new NamedPath("zero hash inserted at " + position, withGarbage));
            List<byte[]> withEmpty = new ArrayList<>(path);
            withEmpty.add(position, new byte[0]);
            sink.accept(new NamedPath("empty hash inserted at " + position, withEmpty));
        }
        if (!path.isEmpty()) {
            sink.accept(new NamedPath("emptied", List.of()));
            sink.accept(new NamedPath("last hash dropped", path.subList(0, path.size() - 1)));
        }
    }

    private static byte[] flip(byte[] hash, int bit) {
        byte[] copy = hash.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }
}
