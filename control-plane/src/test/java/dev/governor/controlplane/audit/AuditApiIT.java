package dev.governor.controlplane.audit;

import dev.governor.auditor.checkpoint.Checkpoint;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteVerifier;
import dev.governor.auditor.evidence.EvidenceJson;
import dev.governor.auditor.evidence.OfflineVerifier;
import dev.governor.auditor.evidence.VerificationReport;
import dev.governor.auditor.log.ConsistencyProof;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.ProofVerifier;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** The regulator's questions, answered over HTTP and checked with the offline verifier's code. */
@QuarkusTest
class AuditApiIT {

    private static final String ORIGIN = "governor.local/audit";
    private final String proposal = "audit-" + UUID.randomUUID();
    private String rita;

    @BeforeEach
    void aProposalWasDecided() {
        dev.governor.controlplane.testing.KillSwitchTesting.ensureRunning();
        rita = Keycloak.token("rita");
        TestLoops.register("loop-audit");
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            KafkaTestClients.send(producer, "rsi.proposals", proposal,
                    ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(proposal, "loop-audit"))));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(rita)
                .get("/api/v1/proposals/{id}", proposal).then().statusCode(200).body("status", equalTo("PENDING_REVIEW")));
    }

    @Test
    void theLogCanBeFollowedLiveFromItsCurrentHeadAgainAfterEveryoneLeft() throws Exception {
        followWhileAProposalArrives();
        Thread.sleep(1000); // the only follower has gone: polling stops, and must start again for the next
        followWhileAProposalArrives();
    }

    private void followWhileAProposalArrives() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/audit/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + rita).build();
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        BlockingQueue<JsonPath> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> response.body().filter(l -> l.startsWith("data:"))
                .forEach(l -> events.add(JsonPath.from(l.substring(5)))), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            JsonPath head = events.poll(10, TimeUnit.SECONDS);
            assertThat(head).isNotNull();
            assertThat(head.getString("type")).isEqualTo("head");
            long size = head.getLong("size");

            String next = "follow-" + UUID.randomUUID();
            try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
                KafkaTestClients.send(producer, "rsi.proposals", next,
                        ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(next, "loop-audit"))));
            }
            List<String> types = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (types.size() < 2 && System.nanoTime() < deadline) {
                JsonPath e = events.poll(1, TimeUnit.SECONDS);
                if (e == null) {
                    continue;
                }
                assertThat(e.getLong("index")).as("only entries appended after the head").isGreaterThanOrEqualTo(size);
                assertThat(e.getString("leafHash")).hasSize(64);
                if (next.equals(e.getString("proposalId"))) {
                    types.add(e.getString("type"));
                }
            }
            assertThat(types).containsExactly("proposal.received", "policy.decision");
        } finally {
            response.body().close();
        }
    }

    @Test
    void everyStepOfAProposalIsInTheLogAndProvenAgainstASignedCheckpoint() {
        JsonPath entries = given().auth().oauth2(rita).queryParam("proposalId", proposal)
                .get("/api/v1/audit/entries").then().statusCode(200).extract().jsonPath();
        assertThat(entries.getList("entries.type", String.class)).containsExactly("proposal.received", "policy.decision");
        assertThat(entries.getString("entries[1].policyRevision")).hasSize(64);

        String verifierKey = given().auth().oauth2(rita).get("/api/v1/audit/verifier-key").then().statusCode(200)
                .extract().asString().strip();
        CheckpointVerifier checkpoints = new CheckpointVerifier(ORIGIN, NoteVerifier.fromKey(verifierKey));
        String note = given().auth().oauth2(rita).get("/api/v1/audit/checkpoint").then().statusCode(200)
                .contentType("text/plain").extract().asString();
        Checkpoint checkpoint = checkpoints.open(note);
        long index = entries.getLong("entries[1].index");
        assertThat(checkpoint.size()).isGreaterThan(index);

        JsonPath inclusion = given().auth().oauth2(rita).queryParam("treeSize", checkpoint.size())
                .get("/api/v1/audit/entries/{index}/inclusion", index).then().statusCode(200).extract().jsonPath();
        InclusionProof proof = new InclusionProof(index, checkpoint.size(), decode(inclusion.getList("hashes", String.class)));
        ProofVerifier.verifyInclusion(Base64.getDecoder().decode(inclusion.getString("leafHash")), proof, checkpoint.treeHead());

        // A later checkpoint extends this one: the log was only appended to.
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            String next = proposal + "-next";
            KafkaTestClients.send(producer, "rsi.proposals", next,
                    ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(next, "loop-audit"))));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(rita)
                    .get("/api/v1/proposals/{id}", next).then().statusCode(200));
        }
        Checkpoint later = checkpoints.open(given().auth().oauth2(rita).get("/api/v1/audit/checkpoint").asString());
        assertThat(later.size()).isGreaterThan(checkpoint.size());
        JsonPath consistency = given().auth().oauth2(rita).queryParam("from", checkpoint.size()).queryParam("to", later.size())
                .get("/api/v1/audit/consistency").then().statusCode(200).extract().jsonPath();
        ProofVerifier.verifyConsistency(new ConsistencyProof(checkpoint.size(), later.size(),
                decode(consistency.getList("hashes", String.class))), checkpoint.treeHead(), later.treeHead());
    }

    @Test
    void theEvidenceBundleOfAProposalVerifiesOfflineAndATamperedOneDoesNot() {
        String json = given().auth().oauth2(rita).get("/api/v1/audit/evidence/{id}", proposal).then().statusCode(200)
                .extract().asString();
        String verifierKey = given().auth().oauth2(rita).get("/api/v1/audit/verifier-key").asString().strip();
        OfflineVerifier verifier = new OfflineVerifier(ORIGIN, List.of(NoteVerifier.fromKey(verifierKey)));
        VerificationReport report = verifier.verifyBundle(EvidenceJson.readBundle(json));
        assertThat(report.verified()).as(report.summary()).isTrue();
        assertThat(report.checkedEntries()).isEqualTo(2);

        String tampered = json.replace("PENDING_REVIEW", "PROMOTED");
        assertThat(tampered).isNotEqualTo(json);
        assertThat(verifier.verifyBundle(EvidenceJson.readBundle(tampered)).verified()).isFalse();
    }

    @Test
    void onlyRegulatorsAndSafetyOfficersReadTheLogAndARefusalIsItselfAudited() {
        given().get("/api/v1/audit/entries").then().statusCode(401);
        given().get("/api/v1/audit/checkpoint").then().statusCode(401);
        given().auth().oauth2(Keycloak.token("alice")).get("/api/v1/audit/checkpoint").then().statusCode(200);
        for (String user : new String[]{"loop-agent", "adam", "paul"}) {
            given().auth().oauth2(Keycloak.token(user)).get("/api/v1/audit/evidence/{id}", proposal).then().statusCode(403)
                    .contentType("application/problem+json");
        }
        given().auth().oauth2(Keycloak.token("paul")).contentType("application/json").body("{\"reason\":\"mine\"}")
                .post("/api/v1/proposals/{id}/rejections", proposal).then().statusCode(403);
        JsonPath denied = given().auth().oauth2(rita).queryParam("type", "access.denied").queryParam("proposalId", proposal)
                .get("/api/v1/audit/entries").then().statusCode(200).extract().jsonPath();
        assertThat(denied.getList("entries.actor", String.class)).anyMatch(a -> a.startsWith("paul ("));
    }

    @Test
    void theRevisionInForceWasActivatedInTheLog() {
        String revision = given().auth().oauth2(rita).get("/api/v1/policies/active").jsonPath().getString("revision");
        JsonPath activations = given().auth().oauth2(rita).queryParam("type", "policy.activated")
                .queryParam("policyRevision", revision).get("/api/v1/audit/entries").then().statusCode(200).extract().jsonPath();
        assertThat(activations.getList("entries")).isNotEmpty();
    }

    private static List<byte[]> decode(List<String> hashes) {
        return hashes.stream().map(Base64.getDecoder()::decode).toList();
    }
}
