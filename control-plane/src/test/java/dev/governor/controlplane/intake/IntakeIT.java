package dev.governor.controlplane.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import dev.governor.controlplane.testing.ProposalMessages.Malformed;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Intake against the real broker, database and policy engine. */
@QuarkusTest
class IntakeIT {

    @Inject
    AgroalDataSource dataSource;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @org.junit.jupiter.api.BeforeEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    private final java.time.OffsetDateTime started = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusSeconds(5);

    @Test
    void everyGoodProposalIsDecidedAndEveryMalformedOneLandsInTheDeadLetterTopicWithItsReason() throws Exception {
        List<Malformed> corpus = ProposalMessages.malformedCorpus("intake-" + run);
        TestLoops.register("loop-" + run);
        TestLoops.register("loop-bad");
        TestLoops.register("loop-bad-other");
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(50);
        List<String> good = new ArrayList<>();
        Map<String, Malformed> badBySource = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            for (int i = 0; i < corpus.size(); i++) {
                String id = "intake-" + run + "-good-" + i;
                good.add(id);
                KafkaTestClients.send(producer, "rsi.proposals", id, ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-" + run))));
                Malformed m = corpus.get(i);
                RecordMetadata meta = KafkaTestClients.send(producer, "rsi.proposals", m.key(), m.value());
                badBySource.put(meta.topic() + "/" + meta.partition() + "/" + meta.offset(), m);
            }
            // Replays: the same content again is a duplicate; other content under the same id is a conflict.
            String replayed = good.get(0);
            KafkaTestClients.send(producer, "rsi.proposals", replayed, ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(replayed, "loop-" + run))));
            ObjectNode changed = ProposalMessages.data(replayed, "loop-" + run);
            changed.put("summary", "The same id with different content.");
            RecordMetadata conflict = KafkaTestClients.send(producer, "rsi.proposals", replayed, ProposalMessages.bytes(ProposalMessages.cloudEvent(changed)));
            badBySource.put(conflict.topic() + "/" + conflict.partition() + "/" + conflict.offset(),
                    new Malformed("conflicting replay", replayed, null, "conflict"));
        }

        String alice = Keycloak.token("alice");
        for (String id : good) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    given().auth().oauth2(alice).get("/api/v1/proposals/{id}", id).then().statusCode(200));
            Response r = given().auth().oauth2(alice).get("/api/v1/proposals/{id}", id);
            assertThat(r.jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");
            assertThat(r.jsonPath().getString("decision.result.outcome")).isEqualTo("REVIEW");
            assertThat(r.jsonPath().getString("contentDigest")).hasSize(64);
            assertThat(decisionCount(id)).as("decisions of " + id).isEqualTo(1);
        }
        assertThat(given().auth().oauth2(alice).get("/api/v1/proposals/{id}", good.get(0)).jsonPath().getString("data.summary"))
                .as("the conflicting replay must not replace the original").doesNotContain("different content");

        List<ConsumerRecord<String, byte[]>> dlq = KafkaTestClients.readUntil("rsi.proposals.dlq", Duration.ofSeconds(60),
                read -> read.stream().map(IntakeIT::source).filter(badBySource::containsKey).distinct().count() == badBySource.size());
        Map<String, String> reasons = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : dlq) {
            String source = source(r);
            if (badBySource.containsKey(source)) {
                reasons.put(source, header(r, "governor-error"));
            }
        }
        for (Map.Entry<String, Malformed> e : badBySource.entrySet()) {
            assertThat(reasons).as("dead letter for " + e.getValue().name()).containsKey(e.getKey());
            assertThat(reasons.get(e.getKey())).as(e.getValue().name()).startsWith(e.getValue().expectedCode() + ": ");
        }
        assertThat(auditedRefusals(badBySource.keySet())).isEqualTo(badBySource.size());
    }

    @Test
    void theGateDeniesTamperingUnpinnedEvaluatorsAndCriticalBreachesAndRaisesTheTierOnAnAlert() {
        String tamper = "gate-" + run + "-tamper";
        String unpinned = "gate-" + run + "-unpinned";
        String critical = "gate-" + run + "-critical";
        String alert = "gate-" + run + "-alert";
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            ObjectNode t = ProposalMessages.data(tamper, "loop-gate-" + run);
            t.putArray("touchedPaths").add("src/agent/tools.py").add("src/evaluation/harness.py");
            send(producer, t);
            ObjectNode u = ProposalMessages.data(unpinned, "loop-gate-" + run);
            ((ObjectNode) u.get("evaluations").get(0)).put("evaluatorDigest", "sha256:" + "e".repeat(64));
            send(producer, u);
            ObjectNode a = ProposalMessages.data(alert, "loop-gate-alert-" + run);
            ((ObjectNode) a.get("capabilityEvals").get(0)).put("score", 0.55);
            send(producer, a);
        }
        String rita = Keycloak.token("rita");
        Response rt = decided(rita, tamper);
        assertThat(rt.jsonPath().getString("status")).isEqualTo("REJECTED_BY_POLICY");
        assertThat(rt.jsonPath().getList("decision.result.violations.rule", String.class)).contains("evaluator_tamper");
        Response ru = decided(rita, unpinned);
        assertThat(ru.jsonPath().getString("status")).isEqualTo("REJECTED_BY_POLICY");
        assertThat(ru.jsonPath().getList("decision.result.violations.rule", String.class)).contains("unpinned_evaluator");
        Response ra = decided(rita, alert);
        assertThat(ra.jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");
        assertThat(ra.jsonPath().getString("decision.result.tier")).isEqualTo("elevated");
        assertThat(ra.jsonPath().getInt("decision.result.requiredApprovals")).isEqualTo(2);
        assertThat(ra.jsonPath().getString("decision.bundles.rsi.revision")).hasSize(64);

        // A critical breach is denied and trips the kill switch with the proposal as its cause.
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            ObjectNode c = ProposalMessages.data(critical, "loop-gate-crit-" + run);
            ((ObjectNode) c.get("capabilityEvals").get(0)).put("score", 0.9);
            send(producer, c);
        }
        try {
            Response rc = decided(rita, critical);
            assertThat(rc.jsonPath().getString("status")).isEqualTo("REJECTED_BY_POLICY");
            assertThat(rc.jsonPath().getBoolean("decision.result.haltLoop")).isTrue();
            assertThat(rc.jsonPath().getList("decision.result.breaches.level", String.class)).contains("critical");
            assertThat(auditCount("killswitch.tripped", critical)).isEqualTo(1);
            Response ks = given().auth().oauth2(rita).get("/api/v1/killswitch");
            assertThat(ks.jsonPath().getString("state")).isEqualTo("TRIPPED");
            assertThat(ks.jsonPath().getString("cause")).isEqualTo(critical);
            assertThat(ks.jsonPath().getString("actor")).isEqualTo("policy-gate");
        } finally {
            KillSwitchTesting.ensureRunning();
        }
    }

    @Test
    void aProtectedFileTheDiffChangesIsDeniedEvenWhenTouchedPathsLeavesItOut() {
        String hidden = "gate-" + run + "-hidden";
        String unreadable = "gate-" + run + "-unreadable";
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            ObjectNode h = ProposalMessages.data(hidden, "loop-gate-hidden-" + run);
            ((ObjectNode) h.get("artifact")).put("inlineDiff", "--- a/src/agent/tools.py\n+++ b/src/agent/tools.py\n"
                    + "@@ -1 +1,2 @@\n import os\n+import retry\n"
                    + "--- a/src/evaluation/harness.py\n+++ b/src/evaluation/harness.py\n"
                    + "@@ -3 +3 @@\n-PASS_THRESHOLD = 0.5\n+PASS_THRESHOLD = 0.0\n");
            send(producer, h);
            ObjectNode u = ProposalMessages.data(unreadable, "loop-gate-hidden-" + run);
            ((ObjectNode) u.get("artifact")).put("inlineDiff", "+PASS_THRESHOLD = 0.0\n");
            send(producer, u);
        }
        String rita = Keycloak.token("rita");
        Response rh = decided(rita, hidden);
        assertThat(rh.jsonPath().getString("status")).isEqualTo("REJECTED_BY_POLICY");
        assertThat(rh.jsonPath().getList("decision.result.violations.rule", String.class))
                .containsExactly("evaluator_tamper", "undeclared_path");
        // The stored input is what the policy saw: the files read from the diff, not its text.
        assertThat(rh.jsonPath().getList("decision.input.artifact.diffPaths", String.class))
                .containsExactly("src/agent/tools.py", "src/evaluation/harness.py");
        assertThat(rh.jsonPath().getMap("decision.input.proposal.artifact")).doesNotContainKey("inlineDiff");
        assertThat(rh.jsonPath().getString("data.artifact.inlineDiff")).contains("PASS_THRESHOLD = 0.0");

        Response ru = decided(rita, unreadable);
        assertThat(ru.jsonPath().getString("status")).isEqualTo("REJECTED_BY_POLICY");
        assertThat(ru.jsonPath().getList("decision.result.violations.message", String.class))
                .containsExactly("inlineDiff cannot be read: it names no file (no diff --git, --- or +++ header)");
    }

    @Test
    void theRateRuleComparesEachDomainWithTheLoopsLowestScoreOfTheWeek() throws Exception {
        String loop = "loop-rate-" + run;
        String p0 = "rate-" + run + "-0";
        String p1 = "rate-" + run + "-1";
        String p2 = "rate-" + run + "-2";
        String p3 = "rate-" + run + "-3";
        String rita = Keycloak.token("rita");
        // One at a time, each decided before the next is sent: the history then comes from the database.
        sendScores(p0, loop, 0.30, 0.40);
        assertThat(decided(rita, p0).jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");
        // Older than the week: a gain measured from it would trip the rule, so it must be left out.
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into capability_observation (loop_id, domain, score, proposal_id, observed_at) "
                        + "values (?, 'ai_rnd', 0.01, ?, now() - interval '8 days')")) {
            ps.setString(1, loop);
            ps.setString(2, p0);
            ps.executeUpdate();
        }
        sendScores(p1, loop, 0.25, 0.45);
        assertThat(decided(rita, p1).jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");
        sendScores(p2, loop, 0.34, 0.42);
        Response r2 = decided(rita, p2);
        assertThat(r2.jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");
        assertThat(r2.jsonPath().getString("decision.result.tier")).isEqualTo("standard");
        // The policy sees the lowest score of each domain within the week, and nothing else.
        List<String> history = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select h->>'domain', h->>'score' from policy_decision, "
                        + "json_array_elements(input->'lineage'->'capabilityHistory') h where proposal_id = ? order by 1")) {
            ps.setString(1, p2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    history.add(rs.getString(1) + "=" + rs.getString(2));
                }
            }
        }
        assertThat(history).containsExactly("ai_rnd=0.25", "cyber=0.4");
        try {
            // 0.36 is 0.11 above the week's lowest ai_rnd score (0.25), over the limit of 0.1.
            sendScores(p3, loop, 0.36, 0.41);
            Response r3 = decided(rita, p3);
            assertThat(r3.jsonPath().getList("decision.result.violations.rule", String.class)).containsExactly("rate_of_improvement");
            assertThat(r3.jsonPath().getString("decision.result.tier")).isEqualTo("critical");
            assertThat(r3.jsonPath().getBoolean("decision.result.haltLoop")).isTrue();
        } finally {
            KillSwitchTesting.ensureRunning();
        }
    }

    private static void sendScores(String id, String loop, double aiRnd, double cyber) {
        ObjectNode data = ProposalMessages.data(id, loop);
        var evals = data.putArray("capabilityEvals");
        evals.addObject().put("domain", "ai_rnd").put("eval", "re-bench").put("score", aiRnd);
        evals.addObject().put("domain", "cyber").put("eval", "cybench").put("score", cyber);
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            send(producer, data);
        }
    }

    @Test
    void theProducersTraceContinuesThroughIntakeIntoTheDecisionRecord() throws Exception {
        String id = "trace-" + run;
        String traceId = UUID.randomUUID().toString().replace("-", "");
        TestLoops.register("loop-trace");
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record = new org.apache.kafka.clients.producer.ProducerRecord<>(
                    "rsi.proposals", id, ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-trace"))));
            record.headers().add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
        Response r = decided(Keycloak.token("alice"), id);
        assertThat(r.jsonPath().getString("traceId")).isEqualTo(traceId);
        List<ConsumerRecord<String, byte[]>> decisions = KafkaTestClients.readUntil("rsi.decisions", Duration.ofSeconds(30),
                read -> read.stream().anyMatch(d -> id.equals(d.key())));
        ConsumerRecord<String, byte[]> decision = decisions.stream().filter(d -> id.equals(d.key())).findFirst().orElseThrow();
        assertThat(header(decision, "traceparent")).as("traceparent of the decision").contains(traceId);
    }

    private static void send(KafkaProducer<String, byte[]> producer, ObjectNode data) {
        TestLoops.register(data.path("loopId").asText());
        KafkaTestClients.send(producer, "rsi.proposals", data.get("proposalId").asText(), ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));
    }

    private static Response decided(String token, String id) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().auth().oauth2(token).get("/api/v1/proposals/{id}", id).then().statusCode(200));
        return given().auth().oauth2(token).get("/api/v1/proposals/{id}", id);
    }

    private int decisionCount(String proposalId) throws Exception {
        return count("select count(*) from policy_decision where proposal_id = ?", proposalId);
    }

    private int auditCount(String type, String proposalId) {
        try {
            return count("select count(*) from audit_entry where event_type = ? and proposal_id = ?", type, proposalId);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refusals recorded at these positions by this run (a database kept from a run on another broker may hold older ones). */
    private int auditedRefusals(java.util.Set<String> sources) throws Exception {
        int n = 0;
        for (String s : sources) {
            String[] parts = s.split("/");
            n += count("select count(*) from intake_rejection where topic = ? and kafka_partition = " + Integer.parseInt(parts[1])
                    + " and kafka_offset = " + Long.parseLong(parts[2]) + " and rejected_at >= '" + started + "'::timestamptz", parts[0]);
        }
        return n;
    }

    private int count(String sql, String... params) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String source(ConsumerRecord<String, byte[]> r) {
        return header(r, "governor-source");
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
