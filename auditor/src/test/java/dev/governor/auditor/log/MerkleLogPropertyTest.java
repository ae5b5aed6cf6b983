package dev.governor.auditor.log;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

class MerkleLogPropertyTest {

    private static final int MAX_LEAVES = 3000;
    private static final List<byte[]> LEAF_HASHES = leafHashes(MAX_LEAVES);
    private static final ReferenceTree REFERENCE = new ReferenceTree(LEAF_HASHES);
    private static final InMemoryNodeStore STORE = integratedInBatches();
    private static final MerkleLog LOG = new MerkleLog(STORE);

    @Property(tries = 300)
    void inclusionProofsOfStoredNodesVerifyAndEqualTheRfcDefinition(@ForAll("indexAndSize") int[] indexAndSize) {
        int index = indexAndSize[0];
        int size = indexAndSize[1];

        InclusionProof proof = LOG.inclusionProof(index, size);
        TreeHead head = LOG.treeHead(size);

        assertThat(head.rootHash()).isEqualTo(REFERENCE.root(size));
        assertThat(proof.hashes()).usingElementComparator(Arrays::compare)
                .containsExactlyElementsOf(REFERENCE.path(index, size));
        assertThatCode(() -> ProofVerifier.verifyInclusion(LEAF_HASHES.get(index), proof, head)).doesNotThrowAnyException();
    }

    @Property(tries = 300)
    void consistencyProofsOfStoredNodesVerifyAndEqualTheRfcDefinition(@ForAll("fromAndTo") int[] fromAndTo) {
        int from = fromAndTo[0];
        int to = fromAndTo[1];

        ConsistencyProof proof = LOG.consistencyProof(from, to);

        assertThat(proof.hashes()).usingElementComparator(Arrays::compare)
                .containsExactlyElementsOf(REFERENCE.proof(from, to));
        assertThatCode(() -> ProofVerifier.verifyConsistency(proof, LOG.treeHead(from), LOG.treeHead(to)))
                .doesNotThrowAnyException();
    }

    @Property(tries = 100)
    void anInclusionProofDoesNotVerifyForAnyOtherLeaf(@ForAll("indexAndSize") int[] indexAndSize,
                                                      @ForAll @IntRange(min = 0, max = MAX_LEAVES - 1) int otherLeaf) {
        int index = indexAndSize[0];
        int size = indexAndSize[1];
        Assume.that(otherLeaf != index);

        InclusionProof proof = LOG.inclusionProof(index, size);

        assertThat(catchThrowable(
                () -> ProofVerifier.verifyInclusion(LEAF_HASHES.get(otherLeaf), proof, LOG.treeHead(size))))
                .isInstanceOf(ProofVerificationException.class);
    }

    @Property(tries = 60)
    void integratingInAnyBatchingGivesTheSameNodesAndRoot(@ForAll @IntRange(min = 1, max = 600) int size,
                                                          @ForAll @IntRange(min = 1, max = 64) int batch) {
        InMemoryNodeStore store = new InMemoryNodeStore();
        MerkleLog log = new MerkleLog(store);
        TreeHead head = TreeHead.empty();
        for (int start = 0; start < size; start += batch) {
            head = log.integrate(start, LEAF_HASHES.subList(start, Math.min(size, start + batch)));
        }

        assertThat(head).isEqualTo(new TreeHead(size, REFERENCE.root(size)));
        assertThat(store.nodeCount()).isEqualTo(2 * size - Long.bitCount(size));
    }

    @Provide
    Arbitrary<int[]> indexAndSize() {
        return Arbitraries.integers().between(1, MAX_LEAVES)
                .flatMap(size -> Arbitraries.integers().between(0, size - 1).map(index -> new int[] {index, size}));
    }

    @Provide
    Arbitrary<int[]> fromAndTo() {
        return Arbitraries.integers().between(0, MAX_LEAVES)
                .flatMap(to -> Combinators.combine(Arbitraries.integers().between(0, to), Arbitraries.just(to))
                        .as((from, t) -> new int[] {from, t}));
    }

    private static InMemoryNodeStore integratedInBatches() {
        InMemoryNodeStore store = new InMemoryNodeStore();
        MerkleLog log = new MerkleLog(store);
        int[] batches = {1, 7, 64, 1, 250, 999};
        int start = 0;
        for (int i = 0; start < MAX_LEAVES; i++) {
            int end = Math.min(MAX_LEAVES, start + batches[i % batches.length]);
            log.integrate(start, LEAF_HASHES.subList(start, end));
            start = end;
        }
        return store;
    }

    static List<byte[]> leafHashes(int count) {
        List<byte[]> hashes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            hashes.add(TreeHasher.hashLeaf(ByteBuffer.allocate(12).putInt(0x6c656166).putLong(i).array()));
        }
        return hashes;
    }
}
