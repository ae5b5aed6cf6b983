package dev.governor.controlplane.proposal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.ProposalMessages.Malformed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProposalParserTest {

    private final ProposalParser parser = new ProposalParser(1_048_576, 262_144, 64);

    static List<Malformed> corpus() {
        return ProposalMessages.malformedCorpus("unit");
    }

    @Test
    void theCorpusHoldsAtLeastFiftyMalformedRecords() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(50);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everyMalformedRecordIsRefusedWithItsReason(Malformed m) {
        assertThatThrownBy(() -> parser.parse(m.key(), m.value()))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> {
                    assertThat(e.code()).as(e.reason()).isEqualTo(m.expectedCode());
                    assertThat(e.reason()).startsWith(m.expectedCode() + ": ").hasSizeGreaterThan(m.expectedCode().length() + 4);
                });
    }

    @Test
    void aWellFormedProposalIsParsedWithTheDigestOfItsCanonicalData() throws Exception {
        ObjectNode data = ProposalMessages.data("p-1", "loop-1");
        Proposal p = parser.parse("p-1", ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));
        assertThat(p.proposalId()).isEqualTo("p-1");
        assertThat(p.loopId()).isEqualTo("loop-1");
        assertThat(p.contentDigest()).isEqualTo(CanonicalJson.sha256Hex(data)).hasSize(64);
    }

    @Test
    void theDigestIgnoresMemberOrderAndWhitespace() throws Exception {
        String a = "{\"specversion\":\"1.0\",\"type\":\"dev.governor.proposal.v1\",\"source\":\"urn:loop:l\",\"id\":\"p-2\","
                + "\"data\":{\"proposalId\":\"p-2\",\"loopId\":\"l\",\"sourceSystem\":\"custom\",\"kind\":\"config\","
                + "\"summary\":\"s\",\"artifact\":{\"sha256\":\"" + "c".repeat(64) + "\"}}}";
        String b = "{ \"data\" : { \"summary\":\"s\", \"artifact\":{\"sha256\":\"" + "c".repeat(64) + "\"},\"kind\":\"config\","
                + "\"sourceSystem\":\"custom\", \"loopId\":\"l\", \"proposalId\":\"p-2\" },"
                + " \"id\":\"p-2\", \"source\":\"urn:loop:l\", \"type\":\"dev.governor.proposal.v1\", \"specversion\":\"1.0\" }";
        assertThat(parser.parse(null, a.getBytes()).contentDigest()).isEqualTo(parser.parse(null, b.getBytes()).contentDigest());
    }

    @Test
    void aChangedFieldChangesTheDigest() throws Exception {
        ObjectNode data = ProposalMessages.data("p-3", "loop-1");
        String before = parser.parse(null, ProposalMessages.bytes(ProposalMessages.cloudEvent(data))).contentDigest();
        data.put("summary", data.get("summary").asText() + " ");
        assertThat(parser.parse(null, ProposalMessages.bytes(ProposalMessages.cloudEvent(data))).contentDigest()).isNotEqualTo(before);
    }

    @Test
    void anInlineDiffOfExactlyTheLimitIsAccepted() throws Exception {
        ObjectNode data = ProposalMessages.data("p-4", "loop-1");
        ((ObjectNode) data.get("artifact")).put("inlineDiff", "z".repeat(262_144));
        assertThat(parser.parse(null, ProposalMessages.bytes(ProposalMessages.cloudEvent(data))).proposalId()).isEqualTo("p-4");
    }

    @Test
    void theSubmitterAttributeIsCarriedThrough() throws Exception {
        ObjectNode event = ProposalMessages.cloudEvent(ProposalMessages.data("p-5", "loop-1"));
        event.put(ProposalParser.SUBMITTER_ATTRIBUTE, "subject-123");
        assertThat(parser.parse("p-5", ProposalMessages.bytes(event)).submittedBy()).isEqualTo("subject-123");
    }
}
