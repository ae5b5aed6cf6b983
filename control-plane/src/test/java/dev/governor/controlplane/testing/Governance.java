package dev.governor.controlplane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** The governance steps tests take through the real API, broker and database. */
public final class Governance {

    /** The database the application under test uses (GOVERNOR_DB_URL, as application.properties reads it). */
    public static final String DB_URL = System.getenv().getOrDefault("GOVERNOR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/governor");

    private Governance() {
    }

    /** Sends a proposal to rsi.proposals, as a loop would; {@code submitter} is the governorsubmitter extension, or null. */
    public static void submit(String id, String loop, Consumer<ObjectNode> tweak, String submitter) {
        ObjectNode data = ProposalMessages.data(id, loop);
        tweak.accept(data);
        ObjectNode event = ProposalMessages.cloudEvent(data);
        if (submitter != null) {
            event.put("governorsubmitter", submitter);
        }
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            KafkaTestClients.send(producer, "rsi.proposals", id, ProposalMessages.bytes(event));
        }
    }

    /** A standard-tier proposal (one approval); elevated when {@code score} is 0.55 (two approvals). */
    public static void submit(String id, String loop, double score) {
        submit(id, loop, d -> ((ObjectNode) d.get("capabilityEvals").get(0)).put("score", score), null);
    }

    public static Response get(String id) {
        return given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/proposals/{id}", id);
    }

    public static Response awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(100))
                .until(() -> { Response r = get(id); return r.statusCode() == 200 && status.equals(r.jsonPath().getString("status")); });
        return get(id);
    }

    /** Approves the digest and decision id that GET shows now. */
    public static Response approve(String user, String id) {
        Response p = get(id);
        return approve(user, id, p.jsonPath().getString("contentDigest"), p.jsonPath().getString("decision.decision_id"));
    }

    public static Response approve(String user, String id, String digest, String decisionId) {
        return given().auth().oauth2(Keycloak.token(user)).contentType("application/json")
                .body(Map.of("digest", digest, "decisionId", decisionId, "comment", "reviewed by " + user))
                .post("/api/v1/proposals/{id}/approvals", id);
    }

    public static Response pause(String user, String reason) {
        return given().auth().oauth2(Keycloak.token(user)).contentType("application/json").body(Map.of("reason", reason))
                .post("/api/v1/killswitch/pause");
    }

    public static Response resume(String user, String reason) {
        return given().auth().oauth2(Keycloak.token(user)).contentType("application/json").body(Map.of("reason", reason))
                .post("/api/v1/killswitch/resume");
    }

    /** The subject (sub claim) of a user's token. */
    public static String subject(String user) {
        String payload = Keycloak.token(user).split("\\.")[1];
        try {
            JsonNode claims = ProposalMessages.MAPPER.readTree(Base64.getUrlDecoder().decode(payload));
            return claims.path("sub").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every committed record of the topic with this key, read to the topic's end (read_committed). */
    public static List<ConsumerRecord<String, byte[]>> committedWithKey(String topic, String key) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.BOOTSTRAP,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    public static String text(ConsumerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    public static long count(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(DB_URL, "governor_app", "governor_app");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As the schema owner: for tests that stand for a crash by undoing what a process would not have written. */
    public static int executeAsOwner(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(DB_URL, "governor", "governor");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
