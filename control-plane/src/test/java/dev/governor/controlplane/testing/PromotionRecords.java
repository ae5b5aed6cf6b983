package dev.governor.controlplane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteVerifier;
import dev.governor.auditor.dsse.Ed25519Verifier;
import dev.governor.auditor.promotion.PromotionVerifier;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

import static io.restassured.RestAssured.given;

/** Records on rsi.promotions as a deployer reads them: the signed statement, and the verifier with the published keys. */
public final class PromotionRecords {

    private PromotionRecords() {
    }

    /** The in-toto statement inside the record's DSSE envelope (not verified: see {@link #verifier()}). */
    public static JsonNode statement(ConsumerRecord<String, byte[]> record) {
        try {
            JsonNode envelope = ProposalMessages.MAPPER.readTree(record.value());
            return ProposalMessages.MAPPER.readTree(Base64.getDecoder().decode(envelope.path("payload").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET /api/v1/promotions/key, as a loop's deployer (proposer role) reads it. */
    public static Response publishedKey() {
        return given().auth().oauth2(Keycloak.token("loop-agent")).get("/api/v1/promotions/key");
    }

    /** A verifier built from the published keys only. */
    public static PromotionVerifier verifier() {
        Response key = publishedKey();
        return new PromotionVerifier(Ed25519Verifier.fromBase64(key.jsonPath().getString("publicKey")),
                new CheckpointVerifier(key.jsonPath().getString("logOrigin"), NoteVerifier.fromKey(key.jsonPath().getString("logVerifierKey"))));
    }

    /** The kill switch as the API shows it now. */
    public static PromotionVerifier.KillSwitchNow killSwitchNow() {
        Response ks = given().auth().oauth2(Keycloak.token("loop-agent")).get("/api/v1/killswitch");
        return new PromotionVerifier.KillSwitchNow(ks.jsonPath().getString("state"), ks.jsonPath().getLong("epoch"));
    }
}
