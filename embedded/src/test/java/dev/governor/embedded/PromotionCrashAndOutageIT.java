package dev.governor.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.checkpoint.NoteVerifier;
import dev.governor.auditor.dsse.Ed25519Verifier;
import dev.governor.auditor.promotion.PromotionRefused;
import dev.governor.auditor.promotion.PromotionVerifier;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Exactly one message on rsi.promotions when the process that committed a promotion dies before
 * publishing it, and when the broker is down while the promotion waits to be published; none
 * while the kill switch is paused, even when the broker returns during the pause. Governor
 * runs as a packaged process against the real PostgreSQL (a schema of its own) and Keycloak, and
 * a Kafka broker in this JVM that the test stops and starts. The process is this module's
 * artifact in profile prod, the control plane's application: the control plane's own tests cannot
 * reach {@link EmbeddedKafka}, since this module depends on the control plane (ADR 0014).
 */
class PromotionCrashAndOutageIT {

    private static final int KAFKA_PORT = 29196;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String schema = "proc_" + run;
    private final String bootstrap = "127.0.0.1:" + KAFKA_PORT;

    @Test
    void aPromotionSurvivesACrashBeforePublishingAndABrokerOutageAndIsPublishedOnce() throws Exception {
        Path kafkaDir = Path.of("target", "promotion-kafka-" + run);
        Governance.executeAsOwner("create schema " + schema);
        Governance.executeAsOwner("grant usage on schema " + schema + " to governor_app");
        EmbeddedKafka kafka = startKafka(kafkaDir, true);
        try {
            Map<String, String> env = new java.util.HashMap<>(Map.of(
                    "GOVERNOR_DB_URL", Governance.DB_URL + "?currentSchema=" + schema,
                    "GOVERNOR_DB_PASSWORD", "governor_app",
                    "GOVERNOR_DB_OWNER_PASSWORD", "governor",
                    "GOVERNOR_OIDC_CLIENT_SECRET", "control-plane-demo-secret",
                    "GOVERNOR_KAFKA_BOOTSTRAP", bootstrap,
                    "GOVERNOR_AUDIT_SIGNING_KEY", NoteSigner.generate("governor.local/audit", new SecureRandom()).signerKey(),
                    "GOVERNOR_DATA_DIR", "target/promotion-data-" + run,
                    "GOVERNOR_KILLSWITCH_GENERATE_KEY", "true",
                    "GOVERNOR_REVIEW_RELAY_TRANSACTIONAL_ID", "governor-promotions-relay-" + run,
                    "GOVERNOR_OTEL_DISABLED", "true"));
            // the broker in this JVM has no authentication
            env.put("GOVERNOR_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
            env.put("GOVERNOR_PROMOTION_GENERATE_KEY", "true");
            env.put("GOVERNOR_LOOPS_GENERATE_KEY", "true");
            Map<String, String> noRelay = new java.util.HashMap<>(env);
            noRelay.put("GOVERNOR_REVIEW_RELAY_ENABLED", "false");

            // 1. The promotion commits, then the process dies before anything is published.
            String crashed = "crash-" + run;
            try (GovernorProcess first = new GovernorProcess("promotion-first-" + run, 18093, List.of(), noRelay)) {
                first.start().awaitReady(Duration.ofSeconds(120));
                submit(first, crashed);
                assertThat(approve(first, crashed).path("status").asText()).isEqualTo("PROMOTED");
                assertThat(count("select count(*) from promotion_outbox where proposal_id = ? and published_at is null", crashed))
                        .isEqualTo(1);
                first.kill();
            }
            try (GovernorProcess second = new GovernorProcess("promotion-second-" + run, 18094, List.of(), env)) {
                second.start().awaitReady(Duration.ofSeconds(120));
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", crashed) == 1);
                assertThat(promotions(crashed)).hasSize(1);

                // 2. The broker goes away; a promotion commits and waits; the broker returns; it is sent once.
                String outage = "outage-" + run;
                submit(second, outage);
                awaitStatus(second, outage, "PENDING_REVIEW");
                kafka.close();
                assertThat(approve(second, outage).path("status").asText()).isEqualTo("PROMOTED");
                Thread.sleep(5000);
                assertThat(count("select count(*) from promotion_outbox where proposal_id = ? and published_at is null", outage))
                        .as("nothing can be published while the broker is down").isEqualTo(1);
                kafka = startKafka(kafkaDir, false);
                await().atMost(Duration.ofSeconds(90)).until(() ->
                        count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", outage) == 1);
                assertThat(promotions(outage)).hasSize(1);
                assertThat(promotions(crashed)).hasSize(1);

                // 3. Issue 19: approved while RUNNING with the broker down, then paused, then the broker returns.
                // Nothing is published until the resume, then one record attested at the new epoch; a record
                // made by hand with the promotion's id meanwhile is not taken for it.
                String paused = "paused-" + run;
                submit(second, paused);
                awaitStatus(second, paused, "PENDING_REVIEW");
                kafka.close();
                assertThat(approve(second, paused).path("status").asText()).isEqualTo("PROMOTED");
                assertThat(killSwitch(second, "alice", "pause").statusCode()).isEqualTo(200);
                kafka = startKafka(kafkaDir, false);
                String promotionId = awaitStatus(second, paused, "PROMOTED").path("review").path("promotion").path("promotionId").asText();
                forge(paused, promotionId);
                Thread.sleep(8000);
                assertThat(count("select count(*) from promotion_outbox where proposal_id = ? and published_at is null", paused))
                        .as("nothing is published while paused").isEqualTo(1);
                assertThat(promotions(paused)).as("only the hand-made record").hasSize(1);
                assertThat(killSwitch(second, "alice", "resume").statusCode()).isEqualTo(202);
                assertThat(killSwitch(second, "bob", "resume").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", paused) == 1);
                List<ConsumerRecord<String, byte[]>> records = promotions(paused);
                assertThat(records).hasSize(2);
                PromotionVerifier verifier = verifier(second);
                JsonNode ks = get(second, "/api/v1/killswitch");
                PromotionVerifier.KillSwitchNow now = new PromotionVerifier.KillSwitchNow(ks.path("state").asText(), ks.path("epoch").asLong());
                assertThatThrownBy(() -> verifier.verify(records.get(0).value(), now))
                        .isInstanceOfSatisfying(PromotionRefused.class, e -> assertThat(e.code()).isEqualTo("not-envelope"));
                PromotionVerifier.Promotion released = verifier.verify(records.get(1).value(), now);
                assertThat(released.promotionId()).isEqualTo(promotionId);
                assertThat(released.predicate().path("audit").path("entryType").asText()).isEqualTo("promotion.released");
                // The crashed promotion's record, from before the pause, is now a replay.
                assertThatThrownBy(() -> verifier.verify(promotions(crashed).get(0).value(), now))
                        .isInstanceOfSatisfying(PromotionRefused.class, e -> assertThat(e.code()).isEqualTo("stale-epoch"));
                second.stop(Duration.ofSeconds(60));
            }
        } finally {
            kafka.close();
            Governance.executeAsOwner("drop schema " + schema + " cascade");
        }
    }

    private EmbeddedKafka startKafka(Path dir, boolean createTopics) throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(dir, KAFKA_PORT, KAFKA_PORT + 1).start();
        if (createTopics) {
            kafka.createTopics(List.of(new NewTopic("rsi.proposals", 3, (short) 1), new NewTopic("rsi.proposals.dlq", 1, (short) 1),
                    new NewTopic("rsi.decisions", 3, (short) 1), new NewTopic("rsi.promotions", 1, (short) 1),
                    new NewTopic("rsi.control", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic("rsi.audit.checkpoints", 1, (short) 1)));
        }
        return kafka;
    }

    private void submit(GovernorProcess governor, String id) throws Exception {
        TestLoops.register(io.restassured.RestAssured.given().baseUri(governor.url("")).auth().oauth2(Keycloak.token("adam")),
                "loop-" + id, List.of(Governance.subject("loop-agent")), List.of());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("rsi.proposals", id,
                    ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-" + id))))).get();
        }
    }

    /** A record made by hand in the old, unsigned format, with the promotion's id where the relay used to look for it. */
    private void forge(String proposalId, String promotionId) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>("rsi.promotions", proposalId, ("{\"format\":\"governor-promotion/v1\","
                    + "\"promotionId\":\"" + promotionId + "\",\"proposalId\":\"" + proposalId + "\"}").getBytes(StandardCharsets.UTF_8));
            r.headers().add("governor-promotion-id", promotionId.getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
        }
    }

    private HttpResponse<String> killSwitch(GovernorProcess governor, String officer, String command) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(governor.url("/api/v1/killswitch/" + command)))
                .header("Authorization", "Bearer " + Keycloak.token(officer)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"test: " + command + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(GovernorProcess governor, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(governor.url(path)))
                .header("Authorization", "Bearer " + Keycloak.token("loop-agent")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ProposalMessages.MAPPER.readTree(r.body());
    }

    /** The deployer's verifier, from the keys the process publishes. */
    private PromotionVerifier verifier(GovernorProcess governor) throws Exception {
        JsonNode key = get(governor, "/api/v1/promotions/key");
        return new PromotionVerifier(Ed25519Verifier.fromBase64(key.path("publicKey").asText()),
                new CheckpointVerifier(key.path("logOrigin").asText(), NoteVerifier.fromKey(key.path("logVerifierKey").asText())));
    }

    private JsonNode approve(GovernorProcess governor, String id) throws Exception {
        JsonNode p = awaitStatus(governor, id, "PENDING_REVIEW");
        String body = ProposalMessages.MAPPER.createObjectNode().put("digest", p.path("contentDigest").asText())
                .put("decisionId", p.path("decision").path("decision_id").asText()).toString();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(governor.url("/api/v1/proposals/" + id + "/approvals")))
                .header("Authorization", "Bearer " + Keycloak.token("alice")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ProposalMessages.MAPPER.readTree(r.body());
    }

    private JsonNode awaitStatus(GovernorProcess governor, String id, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(governor.url("/api/v1/proposals/" + id)))
                    .header("Authorization", "Bearer " + Keycloak.token("rita")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return false;
            }
            last[0] = ProposalMessages.MAPPER.readTree(r.body());
            return status.equals(last[0].path("status").asText());
        });
        return last[0];
    }

    private long count(String sql, String param) {
        return Governance.count(sql.replace("promotion_outbox", schema + ".promotion_outbox"), param);
    }

    /** Committed records with this key on the test broker's rsi.promotions, read to the end. */
    private List<ConsumerRecord<String, byte[]>> promotions(String key) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition("rsi.promotions", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }
}
