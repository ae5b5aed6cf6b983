package dev.governor.controlplane.process;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.ProposalMessages;
import io.restassured.RestAssured;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Intake evaluates a batch while the batch before it is being stored (ADR 0010). With one record
 * per batch, three proposals already on the topic go through that pipeline back to back, and each
 * must be decided as if the one before it had been committed first:
 * <ol>
 *   <li>a: loop L scores 0.10 in {@code ai_rnd};</li>
 *   <li>b: loop L scores 0.25, 0.15 above a, over the rate limit of 0.1. Only a's score, still
 *       uncommitted when b is evaluated, shows the jump: b must be critical and trip the kill switch;</li>
 *   <li>c: another loop, evaluated while the switch still ran and stored after b tripped it. It
 *       must be held as received while paused, with a decision made on the tripped state.</li>
 * </ol>
 * The test holds the kill switch's row until c has been prepared, so b's trip, which waits for
 * that row in b's transaction, cannot commit first: c is prepared while b is being stored (ADR
 * 0012), as it would be on a busy stream.
 */
class PipelinedIntakeIT {

    private static final String DB_URL = dev.governor.controlplane.testing.Governance.DB_URL;
    private static final int PORT = 18093;

    @Test
    void eachBatchIsDecidedOnWhatTheBatchBeforeItStoresAndOnTheKillSwitchAsItIsWhenStored() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "rsi.proposals.pipeline-" + run;
        KafkaTestClients.createTopic(topic, 1);
        Map<String, String> env = GovernorProcess.servicesEnv("target/governor-test", Map.of(
                "GOVERNOR_TOPICS_PROPOSALS", topic,
                "GOVERNOR_INTAKE_GROUP_ID", "governor-intake-pipeline-" + run,
                "GOVERNOR_INTAKE_MAX_POLL_RECORDS", "1"));
        String a = "pipe-" + run + "-a";
        String b = "pipe-" + run + "-b";
        String c = "pipe-" + run + "-c";
        String baseUri = RestAssured.baseURI;
        int port = RestAssured.port;
        try (GovernorProcess governor = new GovernorProcess("pipeline-" + run, PORT, List.of(), env)) {
            governor.start().awaitReady(Duration.ofSeconds(120));
            RestAssured.baseURI = "http://127.0.0.1";
            RestAssured.port = PORT;
            try {
                KillSwitchTesting.ensureRunning();
                try (Connection hold = DriverManager.getConnection(DB_URL, "governor_app", "governor_app")) {
                    hold.setAutoCommit(false);
                    try (PreparedStatement lock = hold.prepareStatement("select state from kill_switch for update")) {
                        lock.executeQuery().close();
                    }
                    sendTogether(topic, List.of(
                            record(topic, scores(a, "loop-pipe-" + run, 0.10)),
                            record(topic, scores(b, "loop-pipe-" + run, 0.25)),
                            record(topic, scores(c, "loop-pipe-other-" + run, 0.20))));
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                            .until(() -> batchesPrepared(governor) >= 3);
                    hold.rollback();
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> count("select count(*) from policy_decision where proposal_id in (?, ?, ?)", a, b, c) == 3);

                assertThat(row("select d.tier, d.result->>'haltLoop', d.result->'violations'->0->>'rule' "
                        + "from proposal p join policy_decision d on d.decision_id = p.decision_id where p.proposal_id = ?", b))
                        .containsExactly("critical", "true", "rate_of_improvement");
                assertThat(row("select h->>'score' from policy_decision d, json_array_elements(d.input->'lineage'->'capabilityHistory') h "
                        + "where d.proposal_id = ? and h->>'domain' = 'ai_rnd'", b)).containsExactly("0.1");
                List<String> trip = row("select state, epoch::text, cause from kill_switch");
                assertThat(trip.get(0)).isEqualTo("TRIPPED");
                assertThat(trip.get(2)).isEqualTo(b);
                assertThat(row("select p.status, p.received_while_paused::text, d.input->'killSwitch'->>'state', "
                        + "d.input->'killSwitch'->>'epoch' from proposal p join policy_decision d on d.decision_id = p.decision_id "
                        + "where p.proposal_id = ?", c))
                        .containsExactly("RECEIVED", "true", "TRIPPED", trip.get(1));
                // c was evaluated before b's trip was committed, so it was decided again: the pipeline ran.
                assertThat(Files.readString(governor.logFile().toPath()))
                        .contains("Kill switch changed to TRIPPED (epoch " + trip.get(1) + ") while a batch of 1 proposal(s) was being decided");
            } finally {
                KillSwitchTesting.ensureRunning();
                RestAssured.baseURI = baseUri;
                RestAssured.port = port;
            }
        }
        KafkaTestClients.deleteTopic(topic);
    }

    /**
     * A proposal resent and then changed while the first is not yet stored, and a malformed record:
     * each is a duplicate, a conflict or a refusal in the first pass with no failed batch. A second
     * consumer group then reads the whole topic again, as after lost offsets: nothing is decided
     * or audited a second time.
     */
    @Test
    void aReplayAcrossBatchesIsADuplicateOrAConflictAndNothingIsDecidedOrAuditedTwice() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "rsi.proposals.replay-" + run;
        KafkaTestClients.createTopic(topic, 1);
        String x = "replay-" + run + "-x";
        long firstEntry = Long.parseLong(row("select coalesce(max(entry_index) + 1, 0)::text from audit_entry").get(0));
        ObjectNode changed = scores(x, "loop-replay-" + run, 0.2);
        changed.put("summary", "The same id with different content.");
        sendTogether(topic, List.of(
                record(topic, scores(x, "loop-replay-" + run, 0.2)),
                record(topic, scores(x, "loop-replay-" + run, 0.2)),
                record(topic, changed),
                new ProducerRecord<>(topic, "replay-" + run + "-bad", "{\"specversion\":".getBytes(StandardCharsets.UTF_8))));
        String source = topic + "/0/";
        String conflicts = "select count(*)::text from intake_rejection where topic = ? and code = 'conflict'";
        String refusalsAudited = "select count(*)::text from audit_entry where entry_index >= " + firstEntry
                + " and event_type in ('proposal.conflict', 'proposal.malformed') and (position(convert_to(?, 'UTF8') in leaf) > 0"
                + " or position(convert_to(?, 'UTF8') in leaf) > 0)";
        for (String group : List.of("first", "second")) {
            Map<String, String> env = GovernorProcess.servicesEnv("target/governor-test", Map.of(
                    "GOVERNOR_TOPICS_PROPOSALS", topic,
                    "GOVERNOR_INTAKE_GROUP_ID", "governor-intake-replay-" + group + "-" + run,
                    "GOVERNOR_INTAKE_MAX_POLL_RECORDS", "1"));
            try (GovernorProcess governor = new GovernorProcess("replay-" + group + "-" + run, PORT, List.of(), env)) {
                governor.start().awaitReady(Duration.ofSeconds(120));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> committed("governor-intake-replay-" + group + "-" + run, topic) == 4);
                assertThat(Files.readString(governor.logFile().toPath())).as("the log of the " + group + " pass")
                        .doesNotContain("failed; it will be retried");
            }
            assertThat(count("select count(*) from policy_decision where proposal_id = ?", x)).as("decisions after the " + group + " pass")
                    .isEqualTo(1);
            assertThat(row("select data->>'summary' from proposal where proposal_id = ?", x).get(0)).doesNotContain("different content");
            assertThat(count(conflicts, topic)).isEqualTo(1);
            assertThat(count("select count(*)::text from intake_rejection where topic = ?", topic)).isEqualTo(2);
            assertThat(count(refusalsAudited, "\"kafka\":\"" + source + "2\"", "\"kafka\":\"" + source + "3\""))
                    .as("refusals audited after the " + group + " pass").isEqualTo(2);
        }
        KafkaTestClients.deleteTopic(topic);
    }

    /**
     * The transaction of one batch fails once (a trigger refuses its proposal the first time) while
     * the batch after it has been prepared on what it would store. Both are dropped and read again:
     * each proposal ends with one decision and one {@code proposal.received} entry, and the offsets
     * reach the end of the topic.
     */
    @Test
    void aBatchWhoseTransactionFailsIsReadAgainWithTheBatchPreparedAfterItAndEachProposalIsDecidedOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "rsi.proposals.retry-" + run;
        KafkaTestClients.createTopic(topic, 1);
        String group = "governor-intake-retry-" + run;
        List<String> ids = List.of("retry-" + run + "-1", "retry-" + run + "-x", "retry-" + run + "-3", "retry-" + run + "-4");
        String failing = ids.get(1);
        String trigger = "refuse_once_" + run.replace('-', '_');
        long firstEntry = Long.parseLong(row("select coalesce(max(entry_index) + 1, 0)::text from audit_entry").get(0));
        owner("create sequence " + trigger + "_seq",
                "create function " + trigger + "() returns trigger language plpgsql security definer as $$ begin "
                        + "if nextval('" + trigger + "_seq') = 1 then raise exception 'refused once by the test'; end if; "
                        + "return new; end $$",
                "create trigger " + trigger + " before insert on proposal for each row when (new.proposal_id = '" + failing + "') "
                        + "execute function " + trigger + "()");
        try {
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
            for (String id : ids) {
                records.add(record(topic, scores(id, "loop-retry-" + run, 0.2)));
            }
            sendTogether(topic, records);
            Map<String, String> env = GovernorProcess.servicesEnv("target/governor-test", Map.of(
                    "GOVERNOR_TOPICS_PROPOSALS", topic,
                    "GOVERNOR_INTAKE_GROUP_ID", group,
                    "GOVERNOR_INTAKE_MAX_POLL_RECORDS", "1"));
            try (GovernorProcess governor = new GovernorProcess("retry-" + run, PORT, List.of(), env)) {
                governor.start().awaitReady(Duration.ofSeconds(120));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> committed(group, topic) == ids.size());
                // The failed batch and the one prepared after it: the latter is thrown away and read again.
                assertThat(Files.readString(governor.logFile().toPath()))
                        .contains("Intake batch of 2 records failed; it will be retried")
                        .contains("refused once by the test");
            }
            for (String id : ids) {
                assertThat(count("select count(*) from policy_decision where proposal_id = ?", id)).as("decisions of " + id).isEqualTo(1);
                assertThat(count("select count(*) from audit_entry where entry_index >= " + firstEntry
                        + " and event_type = 'proposal.received' and proposal_id = ?", id)).as("received entries of " + id).isEqualTo(1);
            }
        } finally {
            owner("drop trigger if exists " + trigger + " on proposal", "drop function if exists " + trigger + "()",
                    "drop sequence if exists " + trigger + "_seq");
            KafkaTestClients.deleteTopic(topic);
        }
    }

    /** Statements run as the schema's owner (the application's role may not create triggers, ADR 0002). */
    private static void owner(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(DB_URL, "governor", "governor"); java.sql.Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static ProducerRecord<String, byte[]> record(String topic, ObjectNode data) {
        return new ProducerRecord<>(topic, data.path("proposalId").asText(), ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));
    }

    /**
     * One producer batch, sent by the flush rather than the linger: the consumer fetches the
     * records together and, with one record per poll, prepares each while the one before it is
     * waiting to be stored.
     */
    private static void sendTogether(String topic, List<ProducerRecord<String, byte[]>> records) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.BOOTSTRAP, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 60_000), new StringSerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(topic);
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (ProducerRecord<String, byte[]> r : records) {
                sends.add(producer.send(r));
            }
            producer.flush();
            for (var send : sends) {
                send.get();
            }
        }
    }

    private static long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.BOOTSTRAP))) {
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var committed = offsets.get(new org.apache.kafka.common.TopicPartition(topic, 0));
            return committed == null ? -1 : committed.offset();
        }
    }

    private static ObjectNode scores(String id, String loop, double aiRnd) {
        ObjectNode data = ProposalMessages.data(id, loop);
        data.putArray("capabilityEvals").addObject().put("domain", "ai_rnd").put("eval", "re-bench").put("score", aiRnd);
        return data;
    }

    /** Batches the Governor has prepared, from its {@code governor.intake.stage{stage=prepare}} timer. */
    private static double batchesPrepared(GovernorProcess governor) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(governor.url("/q/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("governor_intake_stage_seconds_count\\{[^}]*stage=\"prepare\"[^}]*} ([0-9.eE+-]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static int count(String sql, String... args) throws Exception {
        return Integer.parseInt(row(sql, args).get(0));
    }

    private static List<String> row(String sql, String... args) throws Exception {
        try (Connection c = DriverManager.getConnection(DB_URL, "governor_app", "governor_app");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for " + sql).isTrue();
                List<String> out = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.add(rs.getString(i));
                }
                return out;
            }
        }
    }
}
