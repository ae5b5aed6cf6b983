package dev.governor.auditor.log;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link NodeStore} must do; run against the in-memory twin and against PostgreSQL. */
public abstract class NodeStoreContract {

    /** A new, empty store. */
    protected abstract NodeStore newStore() throws Exception;

    @Test
    void writtenNodesAreReadBackInOneCall() throws Exception {
        NodeStore store = newStore();
        byte[] a = TreeHasher.hashLeaf(new byte[] {1});
        byte[] b = TreeHasher.hashLeaf(new byte[] {2});
        store.write(List.of(new Node(new NodeId(0, 0), a), new Node(new NodeId(3, 1L << 40), b)));

        Map<NodeId, byte[]> read = store.read(List.of(new NodeId(3, 1L << 40), new NodeId(0, 0)));

        assertThat(read).hasSize(2);
        assertThat(read.get(new NodeId(0, 0))).isEqualTo(a);
        assertThat(read.get(new NodeId(3, 1L << 40))).isEqualTo(b);
        assertThat(store.read(List.of())).isEmpty();
    }

    @Test
    void readingANodeThatWasNeverWrittenFailsNamingIt() throws Exception {
        NodeStore store = newStore();
        store.write(List.of(new Node(new NodeId(0, 0), TreeHasher.hashLeaf(new byte[0]))));

        assertThatThrownBy(() -> store.read(List.of(new NodeId(0, 0), new NodeId(2, 7))))
                .isInstanceOf(MissingNodeException.class).hasMessageContaining("level 2 index 7");
    }

    @Test
    void aLogOverTheStoreGivesTheRfcRootsAndProofs() throws Exception {
        NodeStore store = newStore();
        MerkleLog log = new MerkleLog(store);
        List<byte[]> leaves = MerkleLogPropertyTest.leafHashes(300);
        ReferenceTree reference = new ReferenceTree(leaves);
        for (int start = 0; start < 300; start += 37) {
            log.integrate(start, leaves.subList(start, Math.min(300, start + 37)));
        }

        for (int size : new int[] {1, 2, 37, 64, 299, 300}) {
            assertThat(log.treeHead(size).rootHash()).isEqualTo(reference.root(size));
            assertThat(log.inclusionProof(size - 1, size).hashes()).usingElementComparator(Arrays::compare)
                    .containsExactlyElementsOf(reference.path(size - 1, size));
            assertThat(log.consistencyProof(size / 2, 300).hashes()).usingElementComparator(Arrays::compare)
                    .containsExactlyElementsOf(reference.proof(size / 2, 300));
        }
    }
}
