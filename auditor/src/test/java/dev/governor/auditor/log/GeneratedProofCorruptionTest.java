package dev.governor.auditor.log;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatCode;

/** Proofs the log itself produces, for trees of awkward sizes: each verifies, and every corruption of it fails. */
class GeneratedProofCorruptionTest {

    private static final int[] SIZES = {1, 3, 7, 9, 100};

    @TestFactory
    Stream<DynamicTest> everyCorruptionOfAnInclusionProofTheLogProducesIsRejected() {
        List<byte[]> leaves = MerkleLogPropertyTest.leafHashes(100);
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        log.integrate(0, leaves);
        List<DynamicTest> tests = new ArrayList<>();
        for (int size : SIZES) {
            TreeHead head = log.treeHead(size);
            for (long index : LongStream.of(size / 2, size - 1).distinct().toArray()) {
                InclusionProof good = log.inclusionProof(index, size);
                String name = "leaf " + index + " of " + size;
                tests.add(DynamicTest.dynamicTest(name + " verifies", () -> assertThatCode(
                        () -> ProofVerifier.verifyInclusion(leaves.get((int) index), good, head)).doesNotThrowAnyException()));
                for (ProofCorruptions.Case c : ProofCorruptions.ofInclusion(leaves.get((int) index), good, head)) {
                    tests.add(Rfc6962VectorsTest.rejected(name + ": " + c.name(), c));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyCorruptionOfAConsistencyProofTheLogProducesIsRejected() {
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        log.integrate(0, MerkleLogPropertyTest.leafHashes(100));
        List<DynamicTest> tests = new ArrayList<>();
        for (int to : SIZES) {
            for (int from : IntStream.of(to / 2, to - 1).distinct().toArray()) {
                if (from < 1 || from >= to) {
                    continue;
                }
                ConsistencyProof good = log.consistencyProof(from, to);
                TreeHead older = log.treeHead(from);
                TreeHead newer = log.treeHead(to);
                String name = "sizes " + from + " to " + to;
                tests.add(DynamicTest.dynamicTest(name + " verifies", () -> assertThatCode(
                        () -> ProofVerifier.verifyConsistency(good, older, newer)).doesNotThrowAnyException()));
                for (ProofCorruptions.Case c : ProofCorruptions.ofConsistency(good, older, newer)) {
                    tests.add(Rfc6962VectorsTest.rejected(name + ": " + c.name(), c));
                }
            }
        }
        return tests.stream();
    }
}
