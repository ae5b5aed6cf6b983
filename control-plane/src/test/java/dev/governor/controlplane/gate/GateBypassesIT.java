package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each way a loop got past the gate by saying little, or saying it cleverly, sent through Kafka
 * as a loop would: the proposal of the named corpus case (policies/src/test/resources/corpus)
 * under a fresh id and loop, decided by the real intake and policy engine as the corpus expects,
 * with the rule or signal named.
 */
@QuarkusTest
class GateBypassesIT {

    private static final Path CORPUS = Path.of("../policies/src/test/resources/corpus");
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "code-patch-with-nothing-to-judge",
            "diff-index-second-file-into-evaluation",
            "symlink-into-evaluation",
            "raised-time-limit-constant",
            "dgm-removed-logging",
            "dgm-logging-commented-out",
            "new-process-and-network-imports",
            "test-config-conftest-edited",
            "evaluation-without-baseline",
            "checkpoint-missing-domain-evals"})
    void theBypassIsDeniedOrRaisedNamingItsRuleOrSignal(String name) throws IOException {
        JsonNode corpusCase = ProposalMessages.MAPPER.readTree(CORPUS.resolve(name + ".json").toFile());
        JsonNode expected = corpusCase.path("expected");
        ObjectNode data = corpusCase.path("input").path("proposal").deepCopy();
        String id = name + "-" + run;
        data.put("proposalId", id);
        data.put("loopId", "loop-" + name + "-" + run);
        TestLoops.register("loop-" + name + "-" + run);
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            KafkaTestClients.send(producer, "rsi.proposals", id, ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));
        }

        String outcome = expected.path("outcome").asText();
        Response decided = Governance.awaitStatus(id, outcome.equals("DENY") ? "REJECTED_BY_POLICY" : "PENDING_REVIEW");
        JsonNode result = ProposalMessages.MAPPER.readTree(decided.asString()).path("decision").path("result");
        assertThat(result.path("outcome").asText()).isEqualTo(outcome);
        assertThat(result.path("tier").asText()).isEqualTo(expected.path("tier").asText());
        assertThat(rules(result.path("violations"), false)).isEqualTo(rules(expected.path("rules"), true));
        assertThat(signals(result.path("signals"))).isEqualTo(signals(expected.path("signals")));
        assertThat(rules(result.path("violations"), false).isEmpty() && signals(result.path("signals")).isEmpty())
                .as("the decision names what it found").isFalse();
    }

    private static List<String> rules(JsonNode list, boolean plain) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(plain ? n.asText() : n.path("rule").asText()));
        return out;
    }

    private static List<String> signals(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(s -> out.add(s.path("rule").asText() + " " + s.path("file").asText() + ":" + s.path("line").asLong()));
        return out;
    }
}
