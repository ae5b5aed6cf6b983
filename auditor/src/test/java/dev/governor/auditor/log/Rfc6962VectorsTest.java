package dev.governor.auditor.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.testing.SharedVectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transparency-dev/merkle RFC 6962 vectors, read in place from the shared folder. */
class Rfc6962VectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyInclusionVectorIsAcceptedOrRejectedAsItSays() throws IOException {
        return vectorFiles("inclusion").map(file -> DynamicTest.dynamicTest(label(file), () -> {
            JsonNode v = JSON.readTree(file.toFile());
            InclusionProof proof = new InclusionProof(v.get("leafIdx").asLong(), v.get("treeSize").asLong(), hashes(v.get("proof")));
            byte[] leafHash = b64(v.get("leafHash"));
            byte[] root = b64(v.get("root"));
            if (v.get("wantErr").asBoolean()) {
                assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leafHash, proof, root))
                        .isInstanceOf(ProofVerificationException.class);
            } else {
                assertThatCode(() -> ProofVerifier.verifyInclusion(leafHash, proof, root)).doesNotThrowAnyException();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyConsistencyVectorIsAcceptedOrRejectedAsItSays() throws IOException {
        return vectorFiles("consistency").map(file -> DynamicTest.dynamicTest(label(file), () -> {
            JsonNode v = JSON.readTree(file.toFile());
            ConsistencyProof proof = new ConsistencyProof(v.get("size1").asLong(), v.get("size2").asLong(), hashes(v.get("proof")));
            byte[] root1 = b64(v.get("root1"));
            byte[] root2 = b64(v.get("root2"));
            if (v.get("wantErr").asBoolean()) {
                assertThatThrownBy(() -> ProofVerifier.verifyConsistency(proof, root1, root2))
                        .isInstanceOf(ProofVerificationException.class);
            } else {
                assertThatCode(() -> ProofVerifier.verifyConsistency(proof, root1, root2)).doesNotThrowAnyException();
            }
        }));
    }

    @Test
    void theVectorSetHasHappyPathsAndCorruptedCases() throws IOException {
        List<Path> files = Stream.concat(vectorFiles("inclusion"), vectorFiles("consistency")).toList();

        assertThat(files.stream().filter(f -> f.getFileName().toString().equals("happy-path.json"))).hasSizeGreaterThanOrEqualTo(6);
        assertThat(files).hasSizeGreaterThan(90);
    }

    @Test
    void rootsOfEveryPrefixOfTheEightLeafTreeMatchTreeOf8() throws IOException {
        TreeOf8 tree = TreeOf8.load();
        MerkleLog log = new MerkleLog(tree.store());

        for (int size = 0; size <= 8; size++) {
            assertThat(log.treeHead(size).rootHashHex()).as("root of size %d", size).isEqualTo(tree.rootsHex().get(size));
        }
    }

    @TestFactory
    Stream<DynamicTest> proofsTheLogProducesForTheEightLeafTreeEqualTheVectorsHappyPaths() throws IOException {
        TreeOf8 tree = TreeOf8.load();
        MerkleLog log = new MerkleLog(tree.store());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : vectorFiles("inclusion").filter(f -> f.getFileName().toString().equals("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            if (v.get("treeSize").asLong() > 8) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(label(file), () -> {
                InclusionProof produced = log.inclusionProof(v.get("leafIdx").asLong(), v.get("treeSize").asLong());
                assertThat(produced.hashes()).usingElementComparator(TreeOf8::compareBytes).containsExactlyElementsOf(hashes(v.get("proof")));
            }));
        }
        for (Path file : vectorFiles("consistency").filter(f -> f.getFileName().toString().equals("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            tests.add(DynamicTest.dynamicTest(label(file), () -> {
                ConsistencyProof produced = log.consistencyProof(v.get("size1").asLong(), v.get("size2").asLong());
                assertThat(produced.hashes()).usingElementComparator(TreeOf8::compareBytes).containsExactlyElementsOf(hashes(v.get("proof")));
            }));
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyGeneratedCorruptionOfEachHappyPathIsRejected() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : vectorFiles("inclusion").filter(f -> f.getFileName().toString().equals("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            InclusionProof good = new InclusionProof(v.get("leafIdx").asLong(), v.get("treeSize").asLong(), hashes(v.get("proof")));
            TreeHead head = new TreeHead(good.treeSize(), b64(v.get("root")));
            byte[] leafHash = b64(v.get("leafHash"));
            ProofVerifier.verifyInclusion(leafHash, good, head);
            for (ProofCorruptions.Case c : ProofCorruptions.ofInclusion(leafHash, good, head)) {
                tests.add(rejected(label(file) + ": " + c.name(), c));
            }
        }
        for (Path file : vectorFiles("consistency").filter(f -> f.getFileName().toString().equals("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            ConsistencyProof good = new ConsistencyProof(v.get("size1").asLong(), v.get("size2").asLong(), hashes(v.get("proof")));
            TreeHead from = new TreeHead(good.fromSize(), b64(v.get("root1")));
            TreeHead to = new TreeHead(good.toSize(), b64(v.get("root2")));
            ProofVerifier.verifyConsistency(good, from, to);
            for (ProofCorruptions.Case c : ProofCorruptions.ofConsistency(good, from, to)) {
                tests.add(rejected(label(file) + ": " + c.name(), c));
            }
        }
        assertThat(tests).hasSizeGreaterThan(1000);
        return tests.stream();
    }

    static DynamicTest rejected(String name, ProofCorruptions.Case c) {
        return DynamicTest.dynamicTest(name + " is rejected", () -> assertThatThrownBy(c.verification()::run)
                .isInstanceOf(ProofVerificationException.class));
    }

    private static Stream<Path> vectorFiles(String kind) throws IOException {
        Path dir = SharedVectors.require("rfc6962/" + kind);
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    private static String label(Path file) {
        return file.getParent().getParent().getFileName() + "/" + file.getParent().getFileName() + "/" + file.getFileName();
    }

    private static List<byte[]> hashes(JsonNode array) {
        List<byte[]> hashes = new ArrayList<>();
        if (array != null && !array.isNull()) {
            array.forEach(h -> hashes.add(Base64.getDecoder().decode(h.asText())));
        }
        return hashes;
    }

    private static byte[] b64(JsonNode node) {
        return Base64.getDecoder().decode(node.asText());
    }

    /** The eight-leaf tree of {@code tree-of-8.json}, integrated into an in-memory store. */
    record TreeOf8(InMemoryNodeStore store, List<String> rootsHex) {

        static TreeOf8 load() throws IOException {
            JsonNode v = JSON.readTree(SharedVectors.require("rfc6962/tree-of-8.json").toFile());
            InMemoryNodeStore store = new InMemoryNodeStore();
            List<byte[]> leafHashes = new ArrayList<>();
            v.get("leafInputsHex").forEach(h -> leafHashes.add(TreeHasher.hashLeaf(HexFormat.of().parseHex(h.asText()))));
            new MerkleLog(store).integrate(0, leafHashes);
            List<String> roots = new ArrayList<>();
            v.get("rootHashesHex").forEach(h -> roots.add(h.asText()));
            return new TreeOf8(store, roots);
        }

        static int compareBytes(byte[] a, byte[] b) {
            return Arrays.compare(a, b);
        }
    }
}
