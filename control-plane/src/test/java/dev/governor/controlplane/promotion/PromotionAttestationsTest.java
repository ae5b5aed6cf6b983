package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.log.InMemoryNodeStore;
import dev.governor.auditor.log.MerkleLog;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;
import dev.governor.auditor.promotion.PromotionVerifier;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The attestation the relay builds from an outbox message is what the deployer's verifier accepts, and names that promotion only. */
class PromotionAttestationsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ORIGIN = "governor.test/audit";

    private final PromotionMessage message = new PromotionMessage(UUID.randomUUID(), "prop-7", "loop-7", "c0".repeat(32), "a1".repeat(32),
            UUID.randomUUID(), UUID.randomUUID(), "rev-1", "standard", 1, OffsetDateTime.of(2026, 12, 1, 10, 0, 0, 0, ZoneOffset.UTC), 3,
            List.of(new PromotionMessage.Approver("sub-alice", "alice (Alice Example)", OffsetDateTime.of(2026, 12, 1, 9, 59, 0, 0,
                    ZoneOffset.UTC), "ok")));

    @Test
    void theRelaysAttestationIsAcceptedByTheDeployersVerifier() throws Exception {
        Ed25519Signer key = Ed25519Signer.generate(RANDOM);
        NoteSigner logKey = NoteSigner.generate(ORIGIN, RANDOM);
        // The log: an unrelated entry, then the promotion's entry as PromotionService records it.
        ObjectNode promoted = MAPPER.createObjectNode().put("type", "proposal.promoted").put("occurredAt", "2026-12-01T10:00:00Z")
                .put("proposalId", "prop-7").put("actor", "system");
        promoted.set("data", message.toNode().put("why", "quorum reached"));
        List<byte[]> leaves = List.of(CanonicalJson.canonicalize(MAPPER.createObjectNode().put("type", "policy.decision")
                .put("occurredAt", "2026-12-01T09:00:00Z")), CanonicalJson.canonicalize(promoted));
        MerkleLog log = new MerkleLog(new InMemoryNodeStore());
        TreeHead head = log.integrate(0, leaves.stream().map(TreeHasher::hashLeaf).toList());
        ObjectNode proof = MAPPER.createObjectNode().put("leafIndex", 1).put("treeSize", 2)
                .put("leaf", new String(leaves.get(1), StandardCharsets.UTF_8)).put("checkpoint", new CheckpointSigner(ORIGIN, logKey).sign(head));
        log.inclusionProof(1, 2).hashes().forEach(h -> proof.withArray("hashes").add(Base64.getEncoder().encodeToString(h)));

        PromotionAttestations.Attested attested = new PromotionAttestations(key, ORIGIN)
                .attest(message.toNode(), 3, 3, "proposal.promoted", proof, Instant.parse("2026-12-01T10:00:01Z"));

        PromotionVerifier verifier = new PromotionVerifier(key.verifier(), new CheckpointVerifier(ORIGIN, logKey.verifier()));
        PromotionVerifier.Promotion p = verifier.verify(attested.recordValue(), new PromotionVerifier.KillSwitchNow("RUNNING", 3));
        assertThat(p.promotionId()).isEqualTo(message.promotionId().toString());
        assertThat(p.artifactSha256()).isEqualTo("a1".repeat(32));
        JsonNode predicate = p.predicate();
        assertThat(predicate.path("decisions").path("approved").asText()).isEqualTo(message.decisionId().toString());
        assertThat(predicate.path("decisions").path("recheck").asText()).isEqualTo(message.recheckDecisionId().toString());
        assertThat(predicate.path("policyRevision").asText()).isEqualTo("rev-1");
        assertThat(predicate.path("approvers").get(0).path("subject").asText()).isEqualTo("sub-alice");
        assertThat(predicate.path("killSwitch").path("promotedAtEpoch").asLong()).isEqualTo(3);
        assertThat(PromotionAttestations.describes(predicate, message.toNode())).isTrue();
    }

    @Test
    void aStatementDescribesOnlyThePromotionWithTheSameIdsDigestsAndDecisions() {
        ObjectNode predicate = MAPPER.createObjectNode();
        for (String field : List.of("promotionId", "proposalId", "loopId", "contentDigest", "artifactSha256")) {
            predicate.put(field, message.toNode().path(field).asText());
        }
        predicate.putObject("decisions").put("approved", message.decisionId().toString()).put("recheck", message.recheckDecisionId().toString());
        assertThat(PromotionAttestations.describes(predicate, message.toNode())).isTrue();
        assertThat(PromotionAttestations.describes(predicate.deepCopy().put("artifactSha256", "ff".repeat(32)), message.toNode())).isFalse();
        assertThat(PromotionAttestations.describes(predicate.deepCopy().put("promotionId", UUID.randomUUID().toString()), message.toNode()))
                .isFalse();
        ObjectNode otherDecision = predicate.deepCopy();
        ((ObjectNode) otherDecision.get("decisions")).put("recheck", UUID.randomUUID().toString());
        assertThat(PromotionAttestations.describes(otherDecision, message.toNode())).isFalse();
    }
}
