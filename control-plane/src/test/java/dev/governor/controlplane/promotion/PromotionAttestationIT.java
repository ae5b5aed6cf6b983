package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.auditor.cli.Verify;
import dev.governor.auditor.promotion.PromotionRefused;
import dev.governor.auditor.promotion.PromotionVerifier;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.PromotionRecords;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Records on rsi.promotions are Governor's signed attestations, checked where they are applied:
 * the deployer's verifier (library and CLI) accepts Governor's own with the published keys and
 * the log's proof, and refuses a replay from before a pause; the relay trusts only its own signed
 * records when it reconciles, and holds while the kill switch is not RUNNING.
 */
@QuarkusTest
class PromotionAttestationIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    @AfterEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    @Test
    void governorsRecordVerifiesWithThePublishedKeyAndTheProofFromTheApi(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String id = "attested-" + run;
        ConsumerRecord<String, byte[]> record = promote(id);
        JsonNode statement = PromotionRecords.statement(record);
        assertThat(statement.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(statement.path("predicateType").asText()).isEqualTo("https://governor.dev/promotion/v1");
        JsonNode predicate = statement.path("predicate");
        assertThat(statement.path("subject").get(0).path("digest").path("sha256").asText())
                .isEqualTo(predicate.path("artifactSha256").asText()).hasSize(64);
        assertThat(predicate.path("approvers").get(0).path("subject").asText()).isEqualTo(Governance.subject("alice"));
        assertThat(predicate.path("audit").path("entryType").asText()).isEqualTo("proposal.promoted");
        assertThat(PromotionRecords.publishedKey().jsonPath().getBoolean("demoOnly")).isTrue();

        PromotionVerifier.Promotion accepted = PromotionRecords.verifier().verify(record.value(), PromotionRecords.killSwitchNow());
        assertThat(accepted.proposalId()).isEqualTo(id);

        // The CLI, with what a deployer fetches: the key (pinned), the kill switch, and a fresh proof of the entry.
        Response key = PromotionRecords.publishedKey();
        Path recordFile = Files.write(dir.resolve("record.json"), record.value());
        Path killSwitch = Files.writeString(dir.resolve("killswitch.json"),
                given().auth().oauth2(Keycloak.token("loop-agent")).get("/api/v1/killswitch").asString());
        Path proof = Files.writeString(dir.resolve("proof.json"), given().auth().oauth2(Keycloak.token("rita"))
                .get("/api/v1/audit/entries/{index}/inclusion", accepted.entryIndex()).then().statusCode(200).extract().asString());
        String[] args = {"promotion", "--promotion-key", key.jsonPath().getString("publicKey"),
                "--origin", key.jsonPath().getString("logOrigin"), "--key", key.jsonPath().getString("logVerifierKey"),
                "--killswitch", killSwitch.toString(), "--proof", proof.toString(), recordFile.toString()};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Verify.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("accepted: promotion " + accepted.promotionId());

        // The same record is refused once the switch has changed: replayed after a pause and resume.
        Governance.pause("alice", "test: replay after a pause").then().statusCode(200);
        KillSwitchTesting.ensureRunning();
        assertThatThrownBy(() -> PromotionRecords.verifier().verify(record.value(), PromotionRecords.killSwitchNow()))
                .isInstanceOfSatisfying(PromotionRefused.class, e -> assertThat(e.code()).isEqualTo("stale-epoch"));
        Files.writeString(killSwitch, given().auth().oauth2(Keycloak.token("loop-agent")).get("/api/v1/killswitch").asString());
        err.reset();
        assertThat(Verify.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(Verify.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("refused (stale-epoch)");
    }

    /**
     * The case of issue 19: a record made by hand with a promotion's id (as the API shows it) used
     * to mark the outbox row published, so Governor's own record was never sent. Its mark is lost
     * here as in a crash after the broker's commit, and a later promotion is marked, so the
     * reconciliation reads only what follows: the hand-made record, which it must not trust.
     */
    @Test
    void aHandMadeRecordDoesNotMarkAPromotionPublished() throws Exception {
        String id = "forged-" + run;
        String later = "forged-later-" + run;
        ConsumerRecord<String, byte[]> genuine = promote(id);
        promote(later);
        String promotionId = Governance.get(id).jsonPath().getString("review.promotion.promotionId");
        assertThat(promotionId).isNotBlank();
        RecordMetadata forged;
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>("rsi.promotions", id, ("{\"format\":\"governor-promotion/v1\","
                    + "\"promotionId\":\"" + promotionId + "\",\"proposalId\":\"" + id + "\",\"artifactSha256\":\"" + "0".repeat(64) + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            r.headers().add(PromotionRelay.PROMOTION_ID_HEADER, promotionId.getBytes(StandardCharsets.UTF_8));
            forged = producer.send(r).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(Governance.executeAsOwner("update promotion_outbox set published_at = null, kafka_partition = null, "
                + "kafka_offset = null where proposal_id = ?", id)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(30)).until(() ->
                Governance.count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", id) == 1);
        long markedOffset = Governance.count("select kafka_offset from promotion_outbox where proposal_id = ?", id);
        assertThat(markedOffset).as("the row is not marked at the hand-made record").isNotEqualTo(forged.offset());
        List<ConsumerRecord<String, byte[]>> records = Governance.committedWithKey("rsi.promotions", id);
        ConsumerRecord<String, byte[]> marked = records.stream().filter(r -> r.offset() == markedOffset).findFirst().orElseThrow();
        assertThat(marked.offset()).isNotEqualTo(genuine.offset()); // sent again: its first mark was lost (ADR 0006)
        assertThatThrownBy(() -> PromotionRecords.verifier().verify(
                records.stream().filter(r -> r.offset() == forged.offset()).findFirst().orElseThrow().value(), PromotionRecords.killSwitchNow()))
                .isInstanceOfSatisfying(PromotionRefused.class, e -> assertThat(e.code()).isEqualTo("not-envelope"));
        assertThat(PromotionRecords.verifier().authenticate(marked.value()).promotionId()).isEqualTo(promotionId);
    }

    /**
     * A promotion waiting in the outbox while the switch is paused is not published; after the
     * resume it goes out attested at the new epoch, with a promotion.released audit entry, and a
     * deployer accepts it. (Its mark is undone as after a crash; embedded's PromotionCrashAndOutageIT
     * makes the wait with a broker outage instead.)
     */
    @Test
    void aPromotionWaitingInTheOutboxIsHeldWhilePausedAndReleasedAtTheNewEpoch() throws Exception {
        String id = "held-" + run;
        promote(id);
        promote("held-later-" + run);
        int before = Governance.committedWithKey("rsi.promotions", id).size();
        Governance.pause("alice", "test: hold the relay").then().statusCode(200);
        assertThat(Governance.executeAsOwner("update promotion_outbox set published_at = null, kafka_partition = null, "
                + "kafka_offset = null where proposal_id = ?", id)).isEqualTo(1);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() ->
                Governance.count("select count(*) from promotion_outbox where proposal_id = ? and published_at is null", id) == 1);
        assertThat(Governance.committedWithKey("rsi.promotions", id)).as("nothing is published while paused").hasSize(before);

        KillSwitchTesting.ensureRunning();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Governance.count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", id) == 1);
        long offset = Governance.count("select kafka_offset from promotion_outbox where proposal_id = ?", id);
        ConsumerRecord<String, byte[]> released = Governance.committedWithKey("rsi.promotions", id).stream()
                .filter(r -> r.offset() == offset).findFirst().orElseThrow();
        JsonNode predicate = PromotionRecords.statement(released).path("predicate");
        assertThat(predicate.path("audit").path("entryType").asText()).isEqualTo("promotion.released");
        assertThat(predicate.path("killSwitch").path("epoch").asLong()).isGreaterThan(predicate.path("killSwitch").path("promotedAtEpoch").asLong());
        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'promotion.released' and proposal_id = ?", id))
                .isEqualTo(1);
        assertThat(PromotionRecords.verifier().verify(released.value(), PromotionRecords.killSwitchNow()).proposalId()).isEqualTo(id);
    }

    /** Submits a one-approval proposal, approves it, and returns its record once published. */
    private static ConsumerRecord<String, byte[]> promote(String id) {
        Governance.submit(id, "loop-" + id, 0.2);
        Governance.awaitStatus(id, "PENDING_REVIEW");
        Governance.approve("alice", id).then().statusCode(200);
        Governance.awaitStatus(id, "PROMOTED");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Governance.count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", id) == 1);
        List<ConsumerRecord<String, byte[]>> records = Governance.committedWithKey("rsi.promotions", id);
        assertThat(records).hasSize(1);
        return records.get(0);
    }
}
