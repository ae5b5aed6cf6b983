package dev.governor.auditor.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MerkleLogTest {

    /** Counts what the log asks of its store, to hold it to O(log n) nodes in one read. */
    static final class CountingStore implements NodeStore {
        private final InMemoryNodeStore delegate = new InMemoryNodeStore();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger nodesRead = new AtomicInteger();

        @Override
        public Map<NodeId, byte[]> read(Collection<NodeId> ids) {
            reads.incrementAndGet();
            nodesRead.addAndGet(ids.size());
            return delegate.read(ids);
        }

        @Override
        public void write(List<Node> nodes) {
            delegate.write(nodes);
        }

        void reset() {
            reads.set(0);
            nodesRead.set(0);
        }
    }

    @ParameterizedTest(name = "tree of {0} leaves")
    @ValueSource(ints = {1, 2, 3, 5, 8, 1000, 4095, 4096, 4097, 65_535, 100_001})
    void proofsAndRootsReadAtMostALogarithmicNumberOfNodesInOneRead(int size) {
        CountingStore store = new CountingStore();
        MerkleLog log = new MerkleLog(store);
        log.integrate(0, MerkleLogPropertyTest.leafHashes(size));
        int depth = 64 - Long.numberOfLeadingZeros(size);

        for (long index : new long[] {0, size / 3, size / 2, size - 1}) {
            store.reset();
            log.inclusionProof(index, size);
            assertThat(store.reads).hasValue(1);
            assertThat(store.nodesRead.get()).isLessThanOrEqualTo(2 * depth);
        }
        for (long from : new long[] {1, size / 3, size - 1}) {
            store.reset();
            log.consistencyProof(Math.max(1, from), size);
            assertThat(store.reads.get()).isLessThanOrEqualTo(1);
            assertThat(store.nodesRead.get()).isLessThanOrEqualTo(2 * depth);
        }
        store.reset();
        log.treeHead(size);
        assertThat(store.nodesRead.get()).isEqualTo(Long.bitCount(size));
    }

    @Test
    void theEmptyTreeHasTheHashOfTheEmptyStringAsRoot() {
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());

        assertThat(log.treeHead(0)).isEqualTo(TreeHead.empty());
        assertThat(TreeHead.empty().rootHashHex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void askingForATreeLargerThanTheIntegratedOneFailsNamingTheMissingNode() {
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        log.integrate(0, MerkleLogPropertyTest.leafHashes(5));

        assertThatThrownBy(() -> log.treeHead(6)).isInstanceOf(MissingNodeException.class).hasMessageContaining("level 1 index 2");
        assertThatThrownBy(() -> log.inclusionProof(2, 7)).isInstanceOf(MissingNodeException.class);
    }

    @Test
    void proofsForTheLastLeafOfATreeLargerThanTheLogFailToo() {
        // The proof of the last leaf needs no hash covering that leaf: with 5 leaves integrated, the
        // proof of leaf 5 in a tree of 6 would be assembled from leaves 0-4 alone, for a leaf that
        // does not exist. Every size from 6 to 16 must be refused, for every index and every proof.
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        log.integrate(0, MerkleLogPropertyTest.leafHashes(5));

        for (long size = 6; size <= 16; size++) {
            for (long index = 0; index < size; index++) {
                long s = size;
                long i = index;
                assertThatThrownBy(() -> log.inclusionProof(i, s)).as("leaf %d in a tree of %d", i, s)
                        .isInstanceOf(MissingNodeException.class);
            }
            for (long from : new long[] {0, 1, 2, 3, 4, 5, size}) {
                long s = size;
                long f = from;
                assertThatThrownBy(() -> log.consistencyProof(f, s)).as("from %d to %d", f, s)
                        .isInstanceOf(MissingNodeException.class);
            }
        }
    }

    @Test
    void proofRequestsOutsideTheTreeAreRefused() {
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        log.integrate(0, MerkleLogPropertyTest.leafHashes(4));

        assertThatThrownBy(() -> log.inclusionProof(4, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.inclusionProof(-1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.consistencyProof(3, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStoredNodeCannotBeOverwrittenWithAnotherHash() {
        InMemoryNodeStore store = new InMemoryNodeStore();
        new MerkleLog(store).integrate(0, MerkleLogPropertyTest.leafHashes(2));

        assertThatThrownBy(() -> new MerkleLog(store).integrate(1, MerkleLogPropertyTest.leafHashes(3).subList(2, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never change");
    }

    @Test
    void aCompactRangeRebuiltFromLeavesHasTheRootOfTheStoredTree() {
        InMemoryNodeStore store = new InMemoryNodeStore();
        List<byte[]> leaves = MerkleLogPropertyTest.leafHashes(1234);
        TreeHead stored = new MerkleLog(store).integrate(0, leaves);
        CompactRange rebuilt = CompactRange.empty();
        leaves.forEach(rebuilt::append);

        assertThat(rebuilt.treeHead()).isEqualTo(stored);
        assertThat(CompactRange.load(1234, store).treeHead()).isEqualTo(stored);
    }
}
