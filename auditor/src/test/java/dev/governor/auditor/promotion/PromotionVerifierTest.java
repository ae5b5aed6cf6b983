package dev.governor.auditor.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.auditor.log.InMemoryNodeStore;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.MerkleLog;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each way a record on rsi.promotions can be wrong is refused with its reason; Governor's own is accepted. */
class PromotionVerifierTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ORIGIN = "governor.test/audit";
    private static final String ARTIFACT = "ab".repeat(32);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ed25519Signer governor = Ed25519Signer.generate(RANDOM);
    private final NoteSigner logKey = NoteSigner.generate(ORIGIN, RANDOM);
    private final PromotionVerifier verifier = new PromotionVerifier(governor.verifier(),
            new CheckpointVerifier(ORIGIN, logKey.verifier()));
    private final PromotionVerifier.KillSwitchNow running7 = new PromotionVerifier.KillSwitchNow("RUNNING", 7);

    /** A log of five entries whose entry 3 records promotion p-1 of proposal prop-1 at epoch 7. */
    private final List<byte[]> leaves = new ArrayList<>();
    private final MerkleLog log = new MerkleLog(new InMemoryNodeStore());

    private byte[] leaf(String type, String promotionId, String artifact, long epoch) {
        ObjectNode entry = MAPPER.createObjectNode().put("type", type).put("occurredAt", "2026-12-01T10:00:00Z")
                .put("proposalId", "prop-1").put("actor", "system");
        entry.putObject("data").put("promotionId", promotionId).put("artifactSha256", artifact).put("killSwitchEpoch", epoch);
        return CanonicalJson.canonicalize(entry);
    }

    private ObjectNode proof(long index) {
        List<byte[]> hashes = leaves.stream().map(TreeHasher::hashLeaf).toList();
        TreeHead head = log.integrate(0, hashes);
        InclusionProof proof = log.inclusionProof(index, leaves.size());
        ObjectNode node = MAPPER.createObjectNode().put("leafIndex", index).put("treeSize", leaves.size())
                .put("leafHash", Base64.getEncoder().encodeToString(hashes.get((int) index)))
                .put("leaf", new String(leaves.get((int) index), StandardCharsets.UTF_8));
        proof.hashes().forEach(h -> node.withArray("hashes").add(Base64.getEncoder().encodeToString(h)));
        node.put("checkpoint", new CheckpointSigner(ORIGIN, logKey).sign(head));
        return node;
    }

    private ObjectNode predicate(long epoch, long entryIndex, ObjectNode proof) {
        ObjectNode predicate = MAPPER.createObjectNode().put("promotionId", "p-1").put("proposalId", "prop-1");
        predicate.putObject("killSwitch").put("state", "RUNNING").put("epoch", epoch);
        ObjectNode audit = predicate.putObject("audit").put("origin", ORIGIN).put("entryIndex", entryIndex);
        audit.set("proof", proof);
        return predicate;
    }

    private byte[] governorsRecord() {
        return record(governor, p -> { });
    }

    private byte[] record(Ed25519Signer signer, Consumer<ObjectNode> edit) {
        leaves.clear();
        for (int i = 0; i < 5; i++) {
            leaves.add(i == 3 ? leaf("proposal.promoted", "p-1", ARTIFACT, 7) : leaf("policy.decision", "x" + i, ARTIFACT, 7));
        }
        ObjectNode predicate = predicate(7, 3, proof(3));
        edit.accept(predicate);
        return PromotionAttestation.recordValue(PromotionAttestation.sign(signer,
                PromotionAttestation.statement("prop-1", ARTIFACT, predicate)));
    }

    private void refused(byte[] record, PromotionVerifier.KillSwitchNow now, String code) {
        assertThatThrownBy(() -> verifier.verify(record, now))
                .isInstanceOfSatisfying(PromotionRefused.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
    }

    @Test
    void governorsSignedRecordWithItsProofIsAccepted() throws Exception {
        PromotionVerifier.Promotion p = verifier.verify(governorsRecord(), running7);
        assertThat(p.promotionId()).isEqualTo("p-1");
        assertThat(p.artifactSha256()).isEqualTo(ARTIFACT);
        assertThat(p.entryIndex()).isEqualTo(3);
    }

    @Test
    void aHandMadeRecordIsRefused() {
        refused(("{\"promotionId\":\"p-1\",\"proposalId\":\"prop-1\",\"artifactSha256\":\"" + ARTIFACT + "\"}")
                .getBytes(StandardCharsets.UTF_8), running7, "not-envelope");
        refused("not json".getBytes(StandardCharsets.UTF_8), running7, "not-envelope");
    }

    @Test
    void anEnvelopeWithoutSignaturesIsRefused() throws Exception {
        JsonNode envelope = MAPPER.readTree(governorsRecord());
        ((ObjectNode) envelope).putArray("signatures");
        refused(MAPPER.writeValueAsBytes(envelope), running7, "unsigned");
    }

    @Test
    void aRecordSignedByAnotherKeyIsRefused() {
        refused(record(Ed25519Signer.generate(RANDOM), p -> { }), running7, "unknown-key");
    }

    @Test
    void anEditedPayloadIsRefused() throws Exception {
        ObjectNode envelope = (ObjectNode) MAPPER.readTree(governorsRecord());
        String statement = new String(Base64.getDecoder().decode(envelope.get("payload").asText()), StandardCharsets.UTF_8);
        String edited = statement.replace(ARTIFACT, "cd".repeat(32));
        assertThat(edited).isNotEqualTo(statement);
        envelope.put("payload", Base64.getEncoder().encodeToString(edited.getBytes(StandardCharsets.UTF_8)));
        refused(MAPPER.writeValueAsBytes(envelope), running7, "bad-signature");
    }

    @Test
    void anotherPayloadTypeSignedByGovernorIsRefused() {
        Envelope other = governor.sign("application/vnd.governor.submission.v1+json",
                "{\"proposalId\":\"prop-1\"}".getBytes(StandardCharsets.UTF_8));
        refused(PromotionAttestation.recordValue(other), running7, "wrong-payload-type");
    }

    @Test
    void aRecordFromBeforeAPauseIsRefusedAfterTheResume() {
        refused(governorsRecord(), new PromotionVerifier.KillSwitchNow("RUNNING", 10), "stale-epoch");
    }

    @Test
    void nothingIsAcceptedWhileTheSwitchIsHalted() {
        refused(governorsRecord(), new PromotionVerifier.KillSwitchNow("PAUSED", 7), "halted");
    }

    @Test
    void anEntryThatIsNotInTheLogIsRefused() {
        // The statement names entry 3, but the leaf it proves was never appended: a proof for it cannot exist.
        byte[] record = record(governor, p -> {
            ObjectNode proof = (ObjectNode) p.path("audit").path("proof");
            proof.put("leaf", new String(leaf("proposal.promoted", "p-1", ARTIFACT, 7), StandardCharsets.UTF_8)
                    .replace("2026-12-01", "2026-12-02"));
            proof.remove("leafHash");
        });
        refused(record, running7, "not-in-log");
    }

    @Test
    void aProofWithAFlippedHashIsRefused() {
        byte[] record = record(governor, p -> {
            ObjectNode proof = (ObjectNode) p.path("audit").path("proof");
            byte[] first = Base64.getDecoder().decode(proof.withArray("hashes").get(0).asText());
            first[0] ^= 1;
            proof.withArray("hashes").set(0, MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(first)));
        });
        refused(record, running7, "not-in-log");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefused() {
        byte[] record = record(governor, p -> {
            ObjectNode proof = (ObjectNode) p.path("audit").path("proof");
            TreeHead head = log.treeHead(leaves.size());
            proof.put("checkpoint", new CheckpointSigner(ORIGIN, NoteSigner.generate(ORIGIN, RANDOM)).sign(head));
        });
        refused(record, running7, "bad-checkpoint");
    }

    @Test
    void aProvenEntryOfAnotherPromotionIsRefused() {
        // Entry 2 is in the log, but records a decision, not this promotion.
        byte[] record = record(governor, p -> {
            ((ObjectNode) p.path("audit")).put("entryIndex", 2);
            ((ObjectNode) p.path("audit")).set("proof", proof(2));
        });
        refused(record, running7, "entry-mismatch");
    }

    @Test
    void aFetchedProofIsCheckedToo() throws Exception {
        byte[] record = governorsRecord();
        assertThat(verifier.verify(record, running7, proof(3)).entryIndex()).isEqualTo(3);
        assertThatThrownBy(() -> verifier.verify(record, running7, proof(1)))
                .isInstanceOfSatisfying(PromotionRefused.class, e -> assertThat(e.code()).isEqualTo("entry-mismatch"));
    }
}
