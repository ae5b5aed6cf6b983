package dev.governor.controlplane.process;

import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.ProposalMessages;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills the control plane with SIGKILL in the middle of a stream of proposals and restarts it:
 * every proposal must end with exactly one decision and one audit entry of each kind.
 */
class KillMidStreamIT {

    private static final int PROPOSALS = 2000;
    private static final String DB_URL = dev.governor.controlplane.testing.Governance.DB_URL;

    private String topic;
    private String group;
    private Map<String, String> landed = Map.of();

    @Test
    void aProcessKilledMidBatchLeavesEveryProposalWithExactlyOneDecision() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "rsi.proposals.kill-" + run;
        KafkaTestClients.createTopic(topic, 3);
        // Where each proposal landed, as the broker acknowledged it: a lost one can then be named.
        Map<String, String> landed = new TreeMap<>();
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();
            for (int i = 0; i < PROPOSALS; i++) {
                String id = "kill-" + run + "-" + i;
                sends.put(id, producer.send(new ProducerRecord<>(topic, id,
                        ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-kill-" + run))))));
            }
            for (Map.Entry<String, Future<RecordMetadata>> send : sends.entrySet()) {
                RecordMetadata meta = send.getValue().get(60, TimeUnit.SECONDS);
                landed.put(send.getKey(), meta.partition() + "@" + meta.offset());
            }
        }
        group = "governor-intake-kill-" + run;
        this.topic = topic;
        this.landed = landed;
        // The data directory of the tests' own Governor, so that both vouch for one kill-switch state with one key.
        Map<String, String> env = GovernorProcess.servicesEnv("target/governor-test", Map.of(
                "GOVERNOR_TOPICS_PROPOSALS", topic,
                "GOVERNOR_INTAKE_GROUP_ID", group,
                "GOVERNOR_INTAKE_MAX_POLL_RECORDS", "100"));
        String like = "kill-" + run + "-%";
        int atKill;
        try (GovernorProcess first = new GovernorProcess("kill-first-" + run, 18091, List.of(), env)) {
            first.start().awaitReady(Duration.ofSeconds(120));
            awaitOrExplain(first, like, Duration.ofSeconds(120), Duration.ofMillis(20),
                    () -> count("select count(*) from policy_decision where proposal_id like ?", like) >= 200);
            first.kill();
            atKill = count("select count(*) from policy_decision where proposal_id like ?", like);
        }
        assertThat(atKill).as("decided before the kill").isBetween(200, PROPOSALS - 1);

        try (GovernorProcess second = new GovernorProcess("kill-second-" + run, 18092, List.of(), env)) {
            second.start().awaitReady(Duration.ofSeconds(120));
            awaitOrExplain(second, like, Duration.ofSeconds(180), Duration.ofSeconds(1),
                    () -> count("select count(*) from proposal where proposal_id like ?", like) == PROPOSALS);
            awaitOrExplain(second, like, Duration.ofSeconds(30), Duration.ofSeconds(1),
                    () -> count("select count(*) from policy_decision where proposal_id like ?", like) == PROPOSALS);
        }
        assertThat(count("select count(*) from (select proposal_id from policy_decision where proposal_id like ? "
                + "group by proposal_id having count(*) > 1) d", like)).as("proposals decided twice").isZero();
        for (String type : List.of("proposal.received", "policy.decision")) {
            assertThat(count("select count(*) from audit_entry where event_type = '" + type + "' and proposal_id like ?", like))
                    .as(type + " entries").isEqualTo(PROPOSALS);
        }
        KafkaTestClients.deleteTopic(topic);
    }

    /**
     * Awaits the condition; on timeout fails with what says why: the counts so far, the proposals
     * not stored with where they landed, the refusals on the topic, the group's committed offsets
     * against the partitions' ends, and the process's log.
     */
    private void awaitOrExplain(GovernorProcess process, String like, Duration atMost, Duration poll, Callable<Boolean> condition)
            throws Exception {
        try {
            await().atMost(atMost).pollInterval(poll).until(condition);
        } catch (ConditionTimeoutException e) {
            Set<String> stored = new HashSet<>(strings("select proposal_id from proposal where proposal_id like ?", like));
            List<String> missing = landed.entrySet().stream().filter(l -> !stored.contains(l.getKey()))
                    .map(l -> l.getKey() + " at " + l.getValue()).limit(20).toList();
            throw new AssertionError(e.getMessage() + "\nproposals stored: " + stored.size()
                    + ", decisions: " + count("select count(*) from policy_decision where proposal_id like ?", like)
                    + "\nnot stored (up to 20): " + missing
                    + "\nrefused on the topic: " + strings("select kafka_partition || '@' || kafka_offset || ' ' || code || ': ' || reason "
                    + "from intake_rejection where topic = ?", topic)
                    + "\noffsets (partition: committed/end): " + offsets()
                    + "\nlog of " + process.logFile() + ":\n" + process.tail(), e);
        }
    }

    private Map<Integer, String> offsets() {
        Map<Integer, String> out = new TreeMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.BOOTSTRAP))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> {
                OffsetAndMetadata c = committed.get(tp);
                out.put(tp.partition(), (c == null ? "none" : String.valueOf(c.offset())) + "/" + info.offset());
            });
        } catch (Exception e) {
            out.put(-1, "could not read: " + e);
        }
        return out;
    }

    private static List<String> strings(String sql, String param) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(DB_URL, "governor_app", "governor_app");
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static int count(String sql, String param) throws Exception {
        try (Connection c = DriverManager.getConnection(DB_URL, "governor_app", "governor_app");
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
