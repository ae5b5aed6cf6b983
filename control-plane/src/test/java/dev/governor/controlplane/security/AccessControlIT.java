package dev.governor.controlplane.security;

import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Real tokens from the Keycloak realm in deploy/keycloak against every endpoint built so far. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlIT {

    private final String pending = "acl-" + UUID.randomUUID();
    private boolean submitted;

    /** RestAssured learns the test port only once a test runs, so this is done from the first test, not @BeforeAll. */
    @BeforeEach
    void aProposalIsWaitingForReview() {
        if (submitted) {
            return;
        }
        KillSwitchTesting.ensureRunning();
        submitted = true;
        TestLoops.register("loop-acl");
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            KafkaTestClients.send(producer, "rsi.proposals", pending,
                    ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(pending, "loop-acl"))));
        }
        String alice = Keycloak.token("alice");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(alice)
                .get("/api/v1/proposals/{id}", pending).then().statusCode(200).body("status", equalTo("PENDING_REVIEW")));
    }

    @ParameterizedTest(name = "{0} rejecting gets {1}")
    @CsvSource({"rita, 403", "adam, 403", "paul, 403", "loop-agent, 403"})
    void onlyASafetyOfficerMayReject(String user, int status) {
        given().auth().oauth2(Keycloak.token(user)).contentType("application/json").body("{\"reason\":\"not mine to judge\"}")
                .post("/api/v1/proposals/{id}/rejections", pending).then().statusCode(status);
    }

    @ParameterizedTest(name = "{0} approving gets {1}")
    @CsvSource({"rita, 403", "adam, 403", "paul, 403", "loop-agent, 403"})
    void onlyASafetyOfficerMayApprove(String user, int status) {
        given().auth().oauth2(Keycloak.token(user)).contentType("application/json")
                .body("{\"digest\":\"" + "0".repeat(64) + "\",\"decisionId\":\"" + UUID.randomUUID() + "\"}")
                .post("/api/v1/proposals/{id}/approvals", pending).then().statusCode(status);
    }

    /** A genuine token of the realm, past its expiry (the probe client's tokens live 2 s). */
    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String token = Keycloak.tokenFrom("token-expiry-probe", "token-expiry-probe-demo-secret", "alice");
        given().auth().oauth2(token).get("/api/v1/proposals").then().statusCode(200);
        long exp = ProposalMessages.MAPPER.readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1])).path("exp").asLong();
        while (System.currentTimeMillis() / 1000 <= exp + 1) {
            Thread.sleep(250);
        }
        given().auth().oauth2(token).get("/api/v1/proposals").then().statusCode(401);
        given().auth().oauth2(token).contentType("application/json").body("{\"reason\":\"expired\"}")
                .post("/api/v1/killswitch/pause").then().statusCode(401);
    }

    /**
     * A token verified once is answered from the verified-token cache (the metric counts it); a copy
     * with another signature or another claim is not the same token, and is refused even then.
     */
    @Test
    void aVerifiedTokenIsAnsweredFromTheCacheButNoAlteredCopyOfIt() {
        String token = Keycloak.token("alice"); // lives 300 s: far from its exp during the test
        given().auth().oauth2(token).get("/api/v1/me").then().statusCode(200);
        double before = cacheHits();
        given().auth().oauth2(token).get("/api/v1/me").then().statusCode(200).body("username", equalTo("alice"));
        assertThat(cacheHits()).as("verified-token cache hits").isGreaterThan(before);

        String[] parts = token.split("\\.");
        given().auth().oauth2(parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse())
                .get("/api/v1/me").then().statusCode(401);
        java.util.Base64.Decoder dec = java.util.Base64.getUrlDecoder();
        String claims = new String(dec.decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8).replace("\"alice\"", "\"adam\"");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        given().auth().oauth2(forged).get("/api/v1/me").then().statusCode(401);
    }

    private static double cacheHits() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("governor_verified_tokens_total") && l.contains("result=\"hit\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** A genuine, valid token of the realm that was not issued for Governor (no control-plane audience). */
    @Test
    void aTokenForAnotherAudienceIsRefused() {
        String token = Keycloak.tokenFrom("other-audience-probe", "other-audience-probe-demo-secret", "alice");
        given().auth().oauth2(token).get("/api/v1/proposals").then().statusCode(401);
        given().auth().oauth2(token).contentType("application/json").body("{\"reason\":\"wrong audience\"}")
                .post("/api/v1/killswitch/pause").then().statusCode(401);
    }

    /** A well-formed RS256 token from another issuer, signed by a key Keycloak never saw. */
    @Test
    void aTokenFromAnotherIssuerIsRefused() throws Exception {
        java.security.KeyPair pair = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair();
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"other\"}".getBytes());
        String claims = b64.encodeToString(("{\"iss\":\"http://127.0.0.1:9999/realms/other\",\"sub\":\"mallory\","
                + "\"preferred_username\":\"alice\",\"exp\":" + (now + 300) + ",\"iat\":" + now + ","
                + "\"realm_access\":{\"roles\":[\"safety-officer\",\"admin\"]}}").getBytes());
        java.security.Signature rs256 = java.security.Signature.getInstance("SHA256withRSA");
        rs256.initSign(pair.getPrivate());
        rs256.update((header + "." + claims).getBytes());
        String token = header + "." + claims + "." + b64.encodeToString(rs256.sign());
        given().auth().oauth2(token).get("/api/v1/proposals").then().statusCode(401);
        given().auth().oauth2(token).contentType("application/json").body("{\"reason\":\"forged\"}")
                .post("/api/v1/killswitch/pause").then().statusCode(401);
    }

    @Test
    void withoutATokenEveryGovernanceEndpointAnswers401() {
        given().get("/api/v1/proposals").then().statusCode(401);
        given().get("/api/v1/proposals/{id}", pending).then().statusCode(401);
        given().get("/api/v1/policies/active").then().statusCode(401);
        given().contentType("application/json").body("{}").post("/api/v1/proposals").then().statusCode(401);
        given().contentType("application/json").body("{\"reason\":\"x\"}").post("/api/v1/proposals/{id}/rejections", pending)
                .then().statusCode(401);
        given().contentType("application/json").body("{}").post("/api/v1/proposals/{id}/approvals", pending).then().statusCode(401);
        given().get("/api/v1/killswitch").then().statusCode(401);
        given().get("/api/v1/killswitch/events").then().statusCode(401);
        given().get("/api/v1/killswitch/verifier-key").then().statusCode(401);
        given().contentType("application/json").body("{\"reason\":\"x\"}").post("/api/v1/killswitch/pause").then().statusCode(401);
        given().contentType("application/json").body("{\"reason\":\"x\"}").post("/api/v1/killswitch/resume").then().statusCode(401);
        given().get("/api/v1/audit/checkpoint").then().statusCode(401);
    }

    @Test
    void aForgedOrForeignTokenIsRefused() {
        String alice = Keycloak.token("alice");
        String[] parts = alice.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        given().auth().oauth2(tampered).get("/api/v1/proposals").then().statusCode(401);
        given().auth().oauth2("not-a-jwt").get("/api/v1/proposals").then().statusCode(401);
    }

    @Test
    void httpBasicIsRefusedOutsideTheEmbeddedRun() {
        given().auth().preemptive().basic("alice", "alice").get("/api/v1/proposals").then().statusCode(401);
    }

    @Test
    void everyReadingRoleMayListButAProposerSeesOnlyItsOwn() {
        for (String user : new String[]{"alice", "rita", "adam"}) {
            given().auth().oauth2(Keycloak.token(user)).get("/api/v1/proposals/{id}", pending).then().statusCode(200);
            given().auth().oauth2(Keycloak.token(user)).get("/api/v1/proposals").then().statusCode(200);
        }
        // pending was written straight to Kafka: no proposer submitted it through the API.
        given().auth().oauth2(Keycloak.token("loop-agent")).get("/api/v1/proposals/{id}", pending).then().statusCode(404);
    }

    @Test
    void aProposerSubmitsThroughTheApiAndReadsItsOwnProposal() {
        String id = "acl-api-" + UUID.randomUUID();
        String agent = Keycloak.token("loop-agent");
        given().auth().oauth2(agent).contentType("application/json")
                .body(ProposalMessages.data(id, "loop-acl").toString())
                .post("/api/v1/proposals").then().statusCode(202).body("proposalId", equalTo(id));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(agent)
                .get("/api/v1/proposals/{id}", id).then().statusCode(200).body("status", equalTo("PENDING_REVIEW")));
        // Officers and regulators may not submit.
        given().auth().oauth2(Keycloak.token("alice")).contentType("application/json")
                .body(ProposalMessages.data(id + "-x", "loop-acl").toString()).post("/api/v1/proposals").then().statusCode(403);
        given().auth().oauth2(Keycloak.token("rita")).contentType("application/json")
                .body(ProposalMessages.data(id + "-y", "loop-acl").toString()).post("/api/v1/proposals").then().statusCode(403);
    }

    @Test
    void aSafetyOfficerRejectsAPendingProposalAndTheRejectionIsFinal() {
        String alice = Keycloak.token("alice");
        given().auth().oauth2(alice).contentType("application/json").body("{\"reason\":\"\"}")
                .post("/api/v1/proposals/{id}/rejections", pending).then().statusCode(400);
        given().auth().oauth2(alice).contentType("application/json").body("{\"reason\":\"touches the reward model\"}")
                .post("/api/v1/proposals/{id}/rejections", pending).then().statusCode(200).body("status", equalTo("REJECTED"));
        given().auth().oauth2(Keycloak.token("bob")).contentType("application/json").body("{\"reason\":\"again\"}")
                .post("/api/v1/proposals/{id}/rejections", pending).then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("not-pending-review"));
    }

    @Test
    void thePolicyInForceIsReadable() {
        given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/policies/active").then().statusCode(200)
                .body("revision.length()", equalTo(64))
                .body("thresholds.ai_rnd.critical", equalTo(0.8f));
    }

    @Test
    void theApiIsDescribedInOpenApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.keySet()", org.hamcrest.Matchers.hasItems("/api/v1/proposals", "/api/v1/proposals/{id}/rejections",
                        "/api/v1/audit/evidence/{proposalId}", "/api/v1/policies/active"));
    }

    @Test
    void theProposalSchemaIsPublic() {
        given().get("/api/v1/schemas/proposal-data.v1.json").then().statusCode(200)
                .body("title", org.hamcrest.Matchers.containsString("Governor proposal"));
    }
}
