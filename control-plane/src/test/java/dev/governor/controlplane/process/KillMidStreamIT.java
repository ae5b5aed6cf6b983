package dev.governor.controlplane.process;

import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.ProposalMessages;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills the control plane with SIGKILL in the middle of a stream of proposals and restarts it:
 * every proposal must end with exactly one decision and one audit entry of each kind.
 */
class KillMidStreamIT {

    private static final int PROPOSALS = 2000;
    private static final String DB_URL = "jdbc:postgresql://127.0.0.1:5432/governor";

    @Test
    void aProcessKilledMidBatchLeavesEveryProposalWithExactlyOneDecision() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "rsi.proposals.kill-" + run;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.BOOTSTRAP))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            for (int i = 0; i < PROPOSALS; i++) {
                String id = "kill-" + run + "-" + i;
                producer.send(new ProducerRecord<>(topic, id,
                        ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-kill-" + run)))));
            }
            producer.flush();
        }
        Map<String, String> env = Map.ofEntries(
                Map.entry("GOVERNOR_DB_PASSWORD", "governor_app"),
                Map.entry("GOVERNOR_DB_OWNER_PASSWORD", "governor"),
                Map.entry("GOVERNOR_OIDC_CLIENT_SECRET", "control-plane-demo-secret"),
                Map.entry("GOVERNOR_AUDIT_SIGNING_KEY", NoteSigner.generate("governor.local/audit", new SecureRandom()).signerKey()),
                // The kill-switch key of the tests' own Governor (same data directory), so that both vouch for one state.
                Map.entry("GOVERNOR_DATA_DIR", "target/governor-test"),
                Map.entry("GOVERNOR_KILLSWITCH_GENERATE_KEY", "true"),
                Map.entry("GOVERNOR_TOPICS_PROPOSALS", topic),
                Map.entry("GOVERNOR_INTAKE_GROUP_ID", "governor-intake-kill-" + run),
                Map.entry("GOVERNOR_INTAKE_MAX_POLL_RECORDS", "100"),
                Map.entry("GOVERNOR_OTEL_DISABLED", "true"));
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
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.BOOTSTRAP))) {
            admin.deleteTopics(List.of(topic)).all().get();
        }
    }

    /** Awaits the condition; on timeout fails with the counts so far and the process's log, to say why. */
    private static void awaitOrExplain(GovernorProcess process, String like, Duration atMost, Duration poll, Callable<Boolean> condition)
            throws Exception {
        try {
            await().atMost(atMost).pollInterval(poll).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nproposals stored: "
                    + count("select count(*) from proposal where proposal_id like ?", like)
                    + ", decisions: " + count("select count(*) from policy_decision where proposal_id like ?", like)
                    + "\nlog of " + process.logFile() + ":\n" + process.tail(), e);
        }
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
