package dev.governor.auditor.promotion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.checkpoint.Checkpoint;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteException;
import dev.governor.auditor.dsse.DsseException;
import dev.governor.auditor.dsse.Ed25519Verifier;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.ProofVerificationException;
import dev.governor.auditor.log.ProofVerifier;
import dev.governor.auditor.log.TreeHasher;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The deployer's check of a record from {@code rsi.promotions}, before it applies the artifact.
 * A record is accepted only if all of these hold, in this order; the first that fails refuses it
 * with a {@link PromotionRefused#code() code}:
 * <ol>
 * <li>it is a DSSE envelope signed by Governor's published promotion key;</li>
 * <li>its payload is an in-toto Statement v1 with Governor's promotion predicate;</li>
 * <li>the kill switch is RUNNING now, at the very epoch the statement names (a record attested
 *     before a pause or trip is stale, even after the resume);</li>
 * <li>the statement's audit entry is in the log: the inclusion proof leads from the entry's leaf
 *     to the root of a checkpoint signed by the log's key, and the leaf records this promotion of
 *     this artifact at this epoch. The proof embedded in the statement is always checked; a
 *     fresher one fetched from {@code GET /api/v1/audit/entries/{index}/inclusion} may be checked too.</li>
 * </ol>
 * Plain JDK and Jackson; a Python SDK mirrors it step by step (docs/promotion-attestation.md).
 */
public final class PromotionVerifier {

    /** The kill switch as the deployer reads it now, e.g. from {@code GET /api/v1/killswitch}. */
    public record KillSwitchNow(String state, long epoch) {
    }

    /**
     * What an authentic statement says that a deployer acts on; {@code predicate} holds the rest
     * (decisions, policy revision, approvers).
     */
    public record Promotion(String promotionId, String proposalId, String artifactSha256, long killSwitchEpoch,
                            long entryIndex, JsonNode predicate) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Ed25519Verifier key;
    private final CheckpointVerifier log;

    /**
     * @param promotionKey Governor's promotion key, as published at {@code GET /api/v1/promotions/key}
     * @param log          the audit log's origin and checkpoint key, as published with it
     */
    public PromotionVerifier(Ed25519Verifier promotionKey, CheckpointVerifier log) {
        this.key = promotionKey;
        this.log = log;
    }

    /** Steps 1 to 4 with the proof embedded in the statement. */
    public Promotion verify(byte[] recordValue, KillSwitchNow now) throws PromotionRefused {
        return verify(recordValue, now, null);
    }

    /** Steps 1 to 4; {@code freshProof}, when not null, is an inclusion proof from the API, checked as well. */
    public Promotion verify(byte[] recordValue, KillSwitchNow now, JsonNode freshProof) throws PromotionRefused {
        Promotion p = authenticate(recordValue);
        if (now == null || !"RUNNING".equals(now.state())) {
            throw new PromotionRefused("halted", "the kill switch is " + (now == null ? "unknown" : now.state())
                    + ", not RUNNING: nothing is deployed while the loop is halted");
        }
        if (p.killSwitchEpoch() != now.epoch()) {
            throw new PromotionRefused("stale-epoch", p.killSwitchEpoch() < now.epoch()
                    ? "attested at kill-switch epoch " + p.killSwitchEpoch() + ", but the switch has changed since (epoch "
                    + now.epoch() + " now): a record from before a pause or trip is not applied, even after the resume"
                    : "attested at kill-switch epoch " + p.killSwitchEpoch() + ", later than the epoch given as current ("
                    + now.epoch() + "): read the kill switch again");
        }
        checkEntry(p, p.predicate().path("audit").path("proof"), "the embedded proof");
        if (freshProof != null) {
            checkEntry(p, freshProof, "the fetched proof");
        }
        return p;
    }

    /**
     * Steps 1 and 2 only: the record is Governor's signed promotion statement. Governor's relay
     * uses this to recognise its own records on the topic; a deployer uses {@link #verify}.
     */
    public Promotion authenticate(byte[] recordValue) throws PromotionRefused {
        Envelope envelope;
        try {
            envelope = Envelope.parse(MAPPER.readTree(recordValue));
        } catch (DsseException e) {
            throw new PromotionRefused("not-envelope", "not a DSSE envelope: " + e.getMessage());
        } catch (java.io.IOException | RuntimeException e) {
            throw new PromotionRefused("not-envelope", "not a DSSE envelope: the record is not JSON");
        }
        if (envelope.signatures().isEmpty()) {
            throw new PromotionRefused("unsigned", "the envelope carries no signature");
        }
        if (key.find(envelope) == null) {
            List<String> ids = new ArrayList<>();
            envelope.signatures().forEach(s -> ids.add(s.keyid().isEmpty() ? "(no key id)" : s.keyid()));
            if (ids.contains(key.keyId())) {
                throw new PromotionRefused("bad-signature", "the signature by Governor's promotion key " + key.keyId()
                        + " does not verify: the payload or its type was changed after signing");
            }
            throw new PromotionRefused("unknown-key", "signed by " + String.join(", ", ids)
                    + ", not by Governor's promotion key " + key.keyId());
        }
        if (!PromotionAttestation.PAYLOAD_TYPE.equals(envelope.payloadType())) {
            throw new PromotionRefused("wrong-payload-type", "payload type is '" + envelope.payloadType() + "', not '"
                    + PromotionAttestation.PAYLOAD_TYPE + "'");
        }
        JsonNode statement;
        try {
            statement = MAPPER.readTree(envelope.payload());
        } catch (java.io.IOException e) {
            throw new PromotionRefused("not-a-promotion", "the signed payload is not JSON");
        }
        if (statement == null || !PromotionAttestation.STATEMENT_TYPE.equals(statement.path("_type").asText())) {
            throw new PromotionRefused("not-a-promotion", "the payload is not an in-toto Statement v1");
        }
        if (!PromotionAttestation.PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
            throw new PromotionRefused("not-a-promotion", "predicate type is '" + statement.path("predicateType").asText()
                    + "', not '" + PromotionAttestation.PREDICATE_TYPE + "'");
        }
        JsonNode subjects = statement.path("subject");
        String artifact = subjects.path(0).path("digest").path("sha256").asText();
        if (!subjects.isArray() || subjects.size() != 1 || !SHA256_HEX.matcher(artifact).matches()) {
            throw new PromotionRefused("not-a-promotion", "a promotion has exactly one subject with a lowercase hex sha256 digest");
        }
        JsonNode predicate = statement.path("predicate");
        String promotionId = requireText(predicate, "promotionId");
        String proposalId = requireText(predicate, "proposalId");
        JsonNode epoch = predicate.path("killSwitch").path("epoch");
        JsonNode index = predicate.path("audit").path("entryIndex");
        if (!epoch.canConvertToLong() || !index.canConvertToLong()) {
            throw new PromotionRefused("not-a-promotion", "the predicate needs killSwitch.epoch and audit.entryIndex as integers");
        }
        return new Promotion(promotionId, proposalId, artifact, epoch.asLong(), index.asLong(), predicate);
    }

    /** Step 4 for one proof: the API's inclusion JSON ({@code leafIndex, treeSize, leafHash, leaf, hashes, checkpoint}). */
    private void checkEntry(Promotion p, JsonNode proof, String which) throws PromotionRefused {
        if (!proof.isObject() || !proof.path("leaf").isTextual() || !proof.path("checkpoint").isTextual()
                || !proof.path("hashes").isArray() || !proof.path("leafIndex").canConvertToLong()
                || !proof.path("treeSize").canConvertToLong()) {
            throw new PromotionRefused("not-in-log", which + " needs leafIndex, treeSize, leaf, hashes and checkpoint");
        }
        Checkpoint checkpoint;
        try {
            checkpoint = log.open(proof.get("checkpoint").asText());
        } catch (NoteException e) {
            throw new PromotionRefused("bad-checkpoint", which + ": " + e.getMessage());
        }
        long index = proof.get("leafIndex").asLong();
        long size = proof.get("treeSize").asLong();
        if (index != p.entryIndex()) {
            throw new PromotionRefused("entry-mismatch", which + " is for audit entry " + index + ", the statement names entry "
                    + p.entryIndex());
        }
        byte[] leaf = proof.get("leaf").asText().getBytes(StandardCharsets.UTF_8);
        byte[] leafHash = TreeHasher.hashLeaf(leaf);
        List<byte[]> hashes = new ArrayList<>();
        try {
            if (proof.hasNonNull("leafHash") && !MessageDigest.isEqual(leafHash, Base64.getDecoder().decode(proof.get("leafHash").asText()))) {
                throw new PromotionRefused("not-in-log", which + ": its leafHash is not the hash of its leaf");
            }
            proof.get("hashes").forEach(h -> hashes.add(Base64.getDecoder().decode(h.asText())));
        } catch (IllegalArgumentException e) {
            throw new PromotionRefused("not-in-log", which + " holds a hash that is not base64");
        }
        if (size != checkpoint.size()) {
            throw new PromotionRefused("not-in-log", which + " is for a tree of " + size + " entries, its checkpoint for "
                    + checkpoint.size());
        }
        try {
            ProofVerifier.verifyInclusion(leafHash, new InclusionProof(index, size, hashes), checkpoint.treeHead());
        } catch (ProofVerificationException e) {
            throw new PromotionRefused("not-in-log", which + ": " + e.getMessage());
        }
        JsonNode entry;
        try {
            entry = MAPPER.readTree(leaf);
        } catch (JsonProcessingException e) {
            throw new PromotionRefused("entry-mismatch", which + ": the proven leaf is not JSON");
        } catch (java.io.IOException e) {
            throw new PromotionRefused("entry-mismatch", which + ": the proven leaf cannot be read");
        }
        String type = entry.path("type").asText();
        JsonNode data = entry.path("data");
        if (!PromotionAttestation.PROMOTED_ENTRY.equals(type) && !PromotionAttestation.RELEASED_ENTRY.equals(type)) {
            throw new PromotionRefused("entry-mismatch", "audit entry " + index + " is a '" + type + "' entry, not a promotion");
        }
        mustEqual(which, index, "proposalId", entry.path("proposalId").asText(), p.proposalId());
        mustEqual(which, index, "promotionId", data.path("promotionId").asText(), p.promotionId());
        mustEqual(which, index, "artifactSha256", data.path("artifactSha256").asText(), p.artifactSha256());
        mustEqual(which, index, "killSwitchEpoch", data.path("killSwitchEpoch").asText(), Long.toString(p.killSwitchEpoch()));
    }

    private static void mustEqual(String which, long index, String field, String logged, String attested) throws PromotionRefused {
        if (!logged.equals(attested)) {
            throw new PromotionRefused("entry-mismatch", which + ": audit entry " + index + " records " + field + " '" + logged
                    + "', the statement says '" + attested + "'");
        }
    }

    private static String requireText(JsonNode node, String field) throws PromotionRefused {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new PromotionRefused("not-a-promotion", "the predicate needs a non-empty " + field);
        }
        return value.asText();
    }
}
