package dev.governor.controlplane.intake;

import dev.governor.auditor.dsse.Envelope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Both content modes of the CloudEvents Kafka binding through real Kafka: one proposal, one digest, one decision. */
@QuarkusTest
class BinaryModeIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    /** Binary content mode: the attributes in ce_ headers, the loop's signed envelope of the data as the value. */
    private static ProducerRecord<String, byte[]> binary(String id, ObjectNode data, boolean withSpecVersion) {
        TestLoops.register(data.path("loopId").asText());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("rsi.proposals", id, ProposalMessages.bytes(ProposalMessages.envelope(data)));
        if (withSpecVersion) {
            record.headers().add("ce_specversion", bytes("1.0"));
        }
        record.headers().add("ce_type", bytes("dev.governor.proposal.v1"))
                .add("ce_source", bytes("urn:loop:" + data.path("loopId").asText()))
                .add("ce_id", bytes(id))
                .add("ce_time", bytes("2026-11-25T12:00:00Z"))
                .add("content-type", bytes(Envelope.MEDIA_TYPE));
        return record;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aProposalSentInBinaryModeIsDecidedAndItsStructuredTwinIsADuplicate() throws Exception {
        String id = "binary-" + run;
        ObjectNode data = ProposalMessages.data(id, "loop-binary-" + run);
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            producer.send(binary(id, data, true)).get();
        }
        Response decided = Governance.awaitStatus(id, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getString("contentDigest")).isEqualTo(CanonicalJson.sha256Hex(data));

        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            KafkaTestClients.send(producer, "rsi.proposals", id, ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));
        }
        // A duplicate gets its stored decision published again, and nothing new.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> Governance.committedWithKey("rsi.decisions", id).size() == 2);
        assertThat(Governance.count("select count(*) from policy_decision where proposal_id = ?", id)).isEqualTo(1);
        assertThat(Governance.get(id).jsonPath().getString("decision.decision_id"))
                .isEqualTo(decided.jsonPath().getString("decision.decision_id"));
    }

    @Test
    void aBinaryRecordWithoutSpecVersionGoesToTheDeadLetterTopicWithItsHeaders() throws Exception {
        String id = "binary-no-version-" + run;
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            producer.send(binary(id, ProposalMessages.data(id, "loop-binary-" + run), false)).get();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> !Governance.committedWithKey("rsi.proposals.dlq", id).isEmpty());
        List<ConsumerRecord<String, byte[]>> dead = Governance.committedWithKey("rsi.proposals.dlq", id);
        ConsumerRecord<String, byte[]> letter = dead.get(0);
        assertThat(new String(letter.headers().lastHeader("governor-error-code").value(), StandardCharsets.UTF_8))
                .isEqualTo("not-cloudevent");
        assertThat(new String(letter.headers().lastHeader("governor-error").value(), StandardCharsets.UTF_8)).contains("specversion");
        assertThat(new String(letter.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8)).isEqualTo(id);
        assertThat(letter.value()).isEqualTo(ProposalMessages.bytes(ProposalMessages.envelope(ProposalMessages.data(id, "loop-binary-" + run))));
    }
}
