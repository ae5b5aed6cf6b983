package dev.governor.controlplane.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The boundary between a loop and Governor (issue 19), against the real broker, database and
 * Keycloak: who may speak for a loop is what the registry and a signature say, never what a
 * message claims.
 */
@QuarkusTest
class LoopBoundaryIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    private static String admin() {
        return Keycloak.token("adam");
    }

    private static Response register(String loopId, List<String> submitters, List<String> owners, List<Map<String, Object>> keys) {
        return given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("loopId", loopId, "sourceSystem", "dgm", "submitters", submitters, "owners", owners, "keys", keys))
                .post("/api/v1/loops");
    }

    /** Writes a record as the loop's Kafka principal (which may write rsi.proposals and nothing Governor writes). */
    private static void send(String id, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer(KafkaTestClients.LOOP)) {
            KafkaTestClients.send(producer, "rsi.proposals", id, value);
        }
    }

    private static ConsumerRecord<String, byte[]> deadLetter(String id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> !Governance.committedWithKey("rsi.proposals.dlq", id).isEmpty());
        return Governance.committedWithKey("rsi.proposals.dlq", id).get(0);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static long audited(String type, String like) {
        return Governance.count("select count(*) from audit_entry where event_type = ? and convert_from(leaf, 'UTF8') like ?", type, "%" + like + "%");
    }

    @Test
    void adminsRegisterChangeAndRotateLoopsAndEveryChangeIsAudited() {
        String loop = "loop-registry-" + run;
        Ed25519Signer first = Ed25519Signer.generate(new SecureRandom());
        Ed25519Signer second = Ed25519Signer.generate(new SecureRandom());
        register(loop, List.of(Governance.subject("loop-agent")), List.of(), List.of(Map.of("publicKey", first.publicKeyBase64())))
                .then().statusCode(201);
        register(loop, List.of(), List.of(), List.of()).then().statusCode(409);
        // A key belongs to one loop, once.
        register("loop-registry-other-" + run, List.of(), List.of(), List.of(Map.of("publicKey", first.publicKeyBase64())))
                .then().statusCode(409);
        register("bad loop id", List.of(), List.of(), List.of()).then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("publicKey", "not base64!"))
                .post("/api/v1/loops/{id}/keys", loop).then().statusCode(400);

        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("owners", List.of(Governance.subject("carol"))))
                .put("/api/v1/loops/{id}", loop).then().statusCode(200);
        OffsetDateTime from = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1);
        given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("publicKey", second.publicKeyBase64(), "notBefore", from.toString(), "notAfter", from.plusDays(90).toString()))
                .post("/api/v1/loops/{id}/keys", loop).then().statusCode(201);
        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("reason", ""))
                .post("/api/v1/loops/{id}/keys/{key}/revocation", loop, first.keyId()).then().statusCode(400);
        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("reason", "rotated"))
                .post("/api/v1/loops/{id}/keys/{key}/revocation", loop, first.keyId()).then().statusCode(200);

        JsonNode read = json(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/loops/{id}", loop).then().statusCode(200)
                .extract().asString());
        assertThat(read.path("owners").get(0).asText()).isEqualTo(Governance.subject("carol"));
        assertThat(read.path("keys")).hasSize(2);
        assertThat(read.path("keys").get(0).path("revokedAt").isNull()).isFalse();
        given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/loops/no-such-loop-" + run).then().statusCode(404);

        assertThat(audited("loop.registered", loop)).isEqualTo(1);
        assertThat(audited("loop.updated", loop)).isEqualTo(1);
        assertThat(audited("loop.key-added", second.keyId())).isEqualTo(1);
        assertThat(audited("loop.key-revoked", first.keyId())).isEqualTo(1);
    }

    @Test
    void anUnregisteredLoopIsRefusedOverHttpAndOverKafka() {
        String loop = "loop-unregistered-" + run;
        String id = "unregistered-" + run;
        Response http = given().auth().oauth2(Keycloak.token("loop-agent")).contentType("application/json")
                .body(ProposalMessages.data(id, loop).toString()).post("/api/v1/proposals");
        http.then().statusCode(403).contentType("application/problem+json");
        assertThat(http.jsonPath().getString("code")).isEqualTo("unknown-loop");

        send(id, ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, loop))));
        ConsumerRecord<String, byte[]> letter = deadLetter(id);
        assertThat(header(letter, "governor-error-code")).isEqualTo("unknown-loop");
        await().atMost(Duration.ofSeconds(30)).until(() -> audited("proposal.unauthenticated", "unknown-loop") > 0);
        Governance.get(id).then().statusCode(404);
    }

    /** The case of the issue: an attribute naming bob made bob the submitter, and the real writer could approve alone. */
    @Test
    void aSubmitterNamedInAMessageAttributeEstablishesNothing() {
        String loop = "loop-claims-" + run;
        TestLoops.register(loop);
        String id = "claims-bob-" + run;
        ObjectNode unsigned = ProposalMessages.unsignedCloudEvent(ProposalMessages.data(id, loop));
        unsigned.put("governorsubmitter", Governance.subject("bob"));
        send(id, ProposalMessages.bytes(unsigned));
        ConsumerRecord<String, byte[]> letter = deadLetter(id);
        assertThat(header(letter, "governor-error-code")).isEqualTo("unsigned");
        await().atMost(Duration.ofSeconds(30)).until(() -> audited("proposal.unauthenticated", id) > 0);
        Governance.get(id).then().statusCode(404);

        // Signed by the loop, the same attribute changes nothing: the loop is the submitter, and bob may approve.
        String signedId = "claims-signed-" + run;
        ObjectNode signed = ProposalMessages.cloudEvent(ProposalMessages.data(signedId, loop));
        signed.put("governorsubmitter", Governance.subject("bob"));
        send(signedId, ProposalMessages.bytes(signed));
        Response decided = Governance.awaitStatus(signedId, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getString("submittedBy")).isEqualTo("loop:" + loop);
        Governance.approve("bob", signedId).then().statusCode(200);
    }

    @Test
    void aLoopCannotSubmitForAnotherLoop() {
        String mine = "loop-mine-" + run;
        String theirs = "loop-theirs-" + run;
        TestLoops.register(mine);
        register(theirs, List.of(), List.of(), List.of(Map.of("publicKey", TestLoops.signer(theirs).publicKeyBase64())))
                .then().statusCode(201);
        // Over HTTP: loop-agent is a submitter of mine, not of theirs.
        Response http = given().auth().oauth2(Keycloak.token("loop-agent")).contentType("application/json")
                .body(ProposalMessages.data("other-http-" + run, theirs).toString()).post("/api/v1/proposals");
        http.then().statusCode(403);
        assertThat(http.jsonPath().getString("code")).isEqualTo("not-a-submitter");
        // Over Kafka: a proposal for theirs signed with mine's key.
        String id = "other-kafka-" + run;
        ObjectNode event = ProposalMessages.cloudEvent(ProposalMessages.data(id, theirs));
        event.set("data", ProposalMessages.envelope(mine, TestLoops.payload(ProposalMessages.data(id, theirs))));
        send(id, ProposalMessages.bytes(event));
        ConsumerRecord<String, byte[]> letter = deadLetter(id);
        assertThat(header(letter, "governor-error-code")).isEqualTo("bad-signature");
        assertThat(header(letter, "governor-error")).contains("a loop signs only its own proposals");
    }

    @Test
    void overHttpTheSubmitterIsTheTokensSubjectAndMustBeAllowedForTheLoop() {
        String loop = "loop-http-" + run;
        TestLoops.register(loop);
        String id = "http-" + run;
        // paul is a proposer, but not one of the loop's submitters.
        given().auth().oauth2(Keycloak.token("paul")).contentType("application/json")
                .body(ProposalMessages.data(id, loop).toString()).post("/api/v1/proposals").then().statusCode(403);
        ObjectNode claimed = ProposalMessages.unsignedCloudEvent(ProposalMessages.data(id, loop));
        claimed.put("governorsubmitter", Governance.subject("bob"));
        given().auth().oauth2(Keycloak.token("loop-agent")).contentType("application/json").body(claimed.toString())
                .post("/api/v1/proposals").then().statusCode(202);
        Response decided = Governance.awaitStatus(id, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getString("submittedBy")).isEqualTo(Governance.subject("loop-agent"));
    }

    @Test
    void aRevokedKeySignsNothingFromThenOnAndItsSuccessorDoes() {
        String loop = "loop-rotate-" + run;
        Ed25519Signer old = TestLoops.signer(loop);
        Ed25519Signer next = Ed25519Signer.generate(new SecureRandom());
        TestLoops.register(loop);
        String before = "rotate-before-" + run;
        send(before, ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(before, loop))));
        Governance.awaitStatus(before, "PENDING_REVIEW");

        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("publicKey", next.publicKeyBase64()))
                .post("/api/v1/loops/{id}/keys", loop).then().statusCode(201);
        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("reason", "key rotation drill"))
                .post("/api/v1/loops/{id}/keys/{key}/revocation", loop, old.keyId()).then().statusCode(200);

        String after = "rotate-after-" + run;
        send(after, ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(after, loop))));
        ConsumerRecord<String, byte[]> letter = deadLetter(after);
        assertThat(header(letter, "governor-error-code")).isEqualTo("bad-signature");
        assertThat(header(letter, "governor-error")).contains("revoked");

        String successor = "rotate-next-" + run;
        ObjectNode data = ProposalMessages.data(successor, loop);
        ObjectNode event = ProposalMessages.cloudEvent(data);
        event.set("data", next.sign("application/vnd.governor.proposal.v1+json", TestLoops.payload(data)).toJson(ProposalMessages.MAPPER));
        send(successor, ProposalMessages.bytes(event));
        Governance.awaitStatus(successor, "PENDING_REVIEW");
    }

    /** What a regulator needs to show that the loop itself sent this content: the envelope, and its signature in the log. */
    @Test
    void theSignatureIsStoredAndWrittenIntoTheAuditEntry() throws Exception {
        String loop = "loop-provenance-" + run;
        TestLoops.register(loop);
        String id = "provenance-" + run;
        ObjectNode data = ProposalMessages.data(id, loop);
        send(id, ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));
        Governance.awaitStatus(id, "PENDING_REVIEW");
        String envelope;
        String keyId;
        try (Connection c = DriverManager.getConnection(Governance.DB_URL, "governor_app", "governor_app");
             PreparedStatement ps = c.prepareStatement("select envelope, signing_key_id from proposal where proposal_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                envelope = rs.getString(1);
                keyId = rs.getString(2);
            }
        }
        Ed25519Signer signer = TestLoops.signer(loop);
        assertThat(keyId).isEqualTo(signer.keyId());
        Envelope stored = Envelope.parse(ProposalMessages.MAPPER.readTree(envelope));
        Envelope.Signature signature = signer.verifier().find(stored);
        assertThat(signature).as("the stored envelope verifies with the loop's registered key").isNotNull();
        assertThat(ProposalMessages.MAPPER.readTree(stored.payload())).isEqualTo(data);
        JsonNode shown = json(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/proposals/{id}", id).asString());
        assertThat(shown.path("signature").path("keyId").asText()).isEqualTo(signer.keyId());
        assertThat(signer.verifier().find(Envelope.parse(shown.path("signature").path("envelope"))))
                .as("the envelope the API shows verifies with the loop's key").isNotNull();

        JsonNode entries = json(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/audit/entries?proposalId={id}", id)
                .then().statusCode(200).extract().asString());
        JsonNode received = null;
        for (JsonNode e : entries.path("entries")) {
            if ("proposal.received".equals(e.path("type").asText())) {
                received = e;
            }
        }
        assertThat(received).as("the proposal.received entry").isNotNull();
        assertThat(received.toString()).contains(signer.keyId())
                .contains(java.util.Base64.getEncoder().encodeToString(signature.sig()));
    }

    @Test
    void onePersonUnderTwoDisplayNamesCannotResumeAloneNorApproveTwice() {
        String probe = Keycloak.tokenFrom("display-name-probe", "display-name-probe-demo-secret", "alice");
        String loop = "loop-names-" + run;
        TestLoops.register(loop);
        String id = "names-" + run;
        Governance.submit(id, loop, d -> ((ObjectNode) d.get("capabilityEvals").get(0)).put("score", 0.55)); // elevated: two approvals
        Response p = Governance.awaitStatus(id, "PENDING_REVIEW");
        Governance.approve("alice", id).then().statusCode(200);
        Response twice = given().auth().oauth2(probe).contentType("application/json")
                .body(Map.of("digest", p.jsonPath().getString("contentDigest"), "decisionId", p.jsonPath().getString("decision.decision_id")))
                .post("/api/v1/proposals/{id}/approvals", id);
        twice.then().statusCode(409);
        assertThat(twice.jsonPath().getString("code")).isEqualTo("already-approved");
        assertThat(Governance.get(id).jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");

        Governance.pause("alice", "drill: one officer, two names").then().statusCode(200);
        Governance.resume("alice", "first request").then().statusCode(202);
        given().auth().oauth2(probe).contentType("application/json").body(Map.of("reason", "the same person again"))
                .post("/api/v1/killswitch/resume").then().statusCode(409);
        assertThat(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/killswitch").jsonPath().getString("state"))
                .isEqualTo("PAUSED");
        Governance.resume("bob", "a second officer").then().statusCode(200);
    }

    private static JsonNode json(String text) {
        try {
            return ProposalMessages.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
