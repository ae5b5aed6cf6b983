package dev.governor.auditor.promotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.dsse.Envelope;

import java.nio.charset.StandardCharsets;

/**
 * The attestation Governor publishes on {@code rsi.promotions}: an in-toto Statement v1 in a DSSE
 * envelope signed with Governor's promotion key. Its subject is the artifact digest that may be
 * deployed; its predicate ({@link #PREDICATE_TYPE}) says which proposal, decisions, policy
 * revision and approvers promoted it, at which kill-switch epoch, and proves the audit entry that
 * records it with an inclusion proof against a signed checkpoint of the log. Field by field in
 * {@code docs/promotion-attestation.md}; {@link PromotionVerifier} checks it.
 */
public final class PromotionAttestation {

    /** The DSSE payload type of an in-toto statement. */
    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://governor.dev/promotion/v1";
    /** The audit entry of a promotion made while the switch ran at the epoch it names. */
    public static final String PROMOTED_ENTRY = "proposal.promoted";
    /** The audit entry of a promotion released at a later epoch, after the kill switch halted and resumed. */
    public static final String RELEASED_ENTRY = "promotion.released";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PromotionAttestation() {
    }

    /** The statement: one subject, the artifact of {@code proposalId} by its SHA-256, and the predicate. */
    public static ObjectNode statement(String proposalId, String artifactSha256, ObjectNode predicate) {
        ObjectNode statement = MAPPER.createObjectNode().put("_type", STATEMENT_TYPE);
        statement.putArray("subject").addObject().put("name", "proposal/" + proposalId)
                .putObject("digest").put("sha256", artifactSha256);
        statement.put("predicateType", PREDICATE_TYPE);
        statement.set("predicate", predicate);
        return statement;
    }

    /** The statement signed as a DSSE envelope; its payload is the statement's compact JSON in UTF-8. */
    public static Envelope sign(Ed25519Signer signer, ObjectNode statement) {
        return signer.sign(PAYLOAD_TYPE, statement.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The envelope's JSON, as the record value on {@code rsi.promotions}. */
    public static byte[] recordValue(Envelope envelope) {
        return envelope.toJson(MAPPER).toString().getBytes(StandardCharsets.UTF_8);
    }
}
