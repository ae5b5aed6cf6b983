package dev.governor.controlplane.proposal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.controlplane.loop.Loop;
import dev.governor.controlplane.loop.LoopKey;
import dev.governor.controlplane.loop.LoopRegistry;
import dev.governor.controlplane.loop.LoopSnapshot;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import dev.governor.controlplane.testing.ProposalMessages.Malformed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProposalParserTest {

    private final ProposalParser parser = new ProposalParser(1_048_576, 262_144, 64);
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 1, 12, 0, 0, 0, ZoneOffset.UTC);
    private final LoopSnapshot registry = TestLoops.snapshot("loop-1", "loop-bad", "loop-bad-other", "l");

    private Proposal parse(String key, byte[] value) throws MalformedProposalException {
        return parser.parse(key, value, registry, NOW);
    }

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
        assertThatThrownBy(() -> parse(m.key(), m.value()))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> {
                    assertThat(e.code()).as(e.reason()).isEqualTo(m.expectedCode());
                    assertThat(e.reason()).startsWith(m.expectedCode() + ": ").hasSizeGreaterThan(m.expectedCode().length() + 4);
                });
    }

    @Test
    void aWellFormedProposalIsParsedWithTheDigestOfItsCanonicalData() throws Exception {
        ObjectNode data = ProposalMessages.data("p-1", "loop-1");
        Proposal p = parse("p-1", ProposalMessages.bytes(ProposalMessages.cloudEvent(data)));
        assertThat(p.proposalId()).isEqualTo("p-1");
        assertThat(p.loopId()).isEqualTo("loop-1");
        assertThat(p.contentDigest()).isEqualTo(CanonicalJson.sha256Hex(data)).hasSize(64);
    }

    @Test
    void theDigestIgnoresMemberOrderAndWhitespaceOfTheSignedPayload() throws Exception {
        String a = "{\"proposalId\":\"p-2\",\"loopId\":\"l\",\"sourceSystem\":\"custom\",\"kind\":\"config\","
                + "\"summary\":\"s\",\"artifact\":{\"sha256\":\"" + "c".repeat(64) + "\"}}";
        String b = "{ \"summary\":\"s\", \"artifact\":{\"sha256\":\"" + "c".repeat(64) + "\"},\"kind\":\"config\","
                + "\"sourceSystem\":\"custom\", \"loopId\":\"l\", \"proposalId\":\"p-2\" }";
        assertThat(parse(null, ProposalMessages.bytes(ProposalMessages.signedEvent("l", "p-2", a.getBytes(StandardCharsets.UTF_8))))
                .contentDigest())
                .isEqualTo(parse(null, ProposalMessages.bytes(ProposalMessages.signedEvent("l", "p-2", b.getBytes(StandardCharsets.UTF_8))))
                        .contentDigest());
    }

    @Test
    void aChangedFieldChangesTheDigest() throws Exception {
        ObjectNode data = ProposalMessages.data("p-3", "loop-1");
        String before = parse(null, ProposalMessages.bytes(ProposalMessages.cloudEvent(data))).contentDigest();
        data.put("summary", data.get("summary").asText() + " ");
        assertThat(parse(null, ProposalMessages.bytes(ProposalMessages.cloudEvent(data))).contentDigest()).isNotEqualTo(before);
    }

    @Test
    void anInlineDiffOfExactlyTheLimitIsAccepted() throws Exception {
        ObjectNode data = ProposalMessages.data("p-4", "loop-1");
        ((ObjectNode) data.get("artifact")).put("inlineDiff", "z".repeat(262_144));
        assertThat(parse(null, ProposalMessages.bytes(ProposalMessages.cloudEvent(data))).proposalId()).isEqualTo("p-4");
    }

    @Test
    void aLoopsSignedProposalIsSubmittedByTheLoopWhateverItsAttributesClaim() throws Exception {
        ObjectNode event = ProposalMessages.cloudEvent(ProposalMessages.data("p-5", "loop-1"));
        event.put("governorsubmitter", "bob");
        Proposal p = parse("p-5", ProposalMessages.bytes(event));
        assertThat(p.submittedBy()).isEqualTo("loop:loop-1");
        assertThat(p.provenance().signedBy()).isEqualTo("loop-key");
        assertThat(p.provenance().keyId()).isEqualTo(TestLoops.signer("loop-1").keyId());
        assertThat(p.provenance().payloadType()).isEqualTo(ProposalParser.PROPOSAL_PAYLOAD_TYPE);
        // The stored envelope verifies again, with the loop's key, over the exact bytes signed.
        Envelope stored = Envelope.parse(ProposalMessages.MAPPER.readTree(p.provenance().envelope()));
        assertThat(TestLoops.signer("loop-1").verifier().find(stored)).isNotNull();
    }

    @Test
    void aSubmissionSignedWithTheApiKeyNamesItsSubmitter() throws Exception {
        ObjectNode submission = ProposalMessages.MAPPER.createObjectNode();
        submission.putObject("submitter").put("subject", "subject-123").put("username", "paul");
        submission.set("proposal", ProposalMessages.data("p-6", "loop-1"));
        ObjectNode event = ProposalMessages.signedEvent("loop-1", "p-6", new byte[0]);
        event.set("data", TestLoops.UNIT_TEST_API_KEY.sign(ProposalParser.SUBMISSION_PAYLOAD_TYPE,
                submission.toString().getBytes(StandardCharsets.UTF_8)).toJson(ProposalMessages.MAPPER));
        Proposal p = parse("p-6", ProposalMessages.bytes(event));
        assertThat(p.submittedBy()).isEqualTo("subject-123");
        assertThat(p.provenance().signedBy()).isEqualTo("governor-api");
    }

    @Test
    void aSubmissionSignedByAnyOtherKeyIsRefused() {
        ObjectNode submission = ProposalMessages.MAPPER.createObjectNode();
        submission.putObject("submitter").put("subject", "bob").put("username", "bob");
        submission.set("proposal", ProposalMessages.data("p-7", "loop-1"));
        ObjectNode event = ProposalMessages.signedEvent("loop-1", "p-7", new byte[0]);
        event.set("data", TestLoops.signer("forger").sign(ProposalParser.SUBMISSION_PAYLOAD_TYPE,
                submission.toString().getBytes(StandardCharsets.UTF_8)).toJson(ProposalMessages.MAPPER));
        assertThatThrownBy(() -> parse("p-7", ProposalMessages.bytes(event)))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.code()).isEqualTo("bad-signature"));
    }

    @Test
    void aKeyIsAcceptedOnlyInsideItsWindowAndUntilRevoked() throws Exception {
        OffsetDateTime t = OffsetDateTime.of(2026, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        var signer = TestLoops.signer("loop-1");
        java.util.function.Function<LoopKey, LoopSnapshot> with = key -> new LoopSnapshot(1, java.util.Map.of("loop-1",
                new Loop("loop-1", "dgm", null, List.of(), List.of(), Loop.Status.ACTIVE, "adam", t, "adam", t, 1, List.of(key))),
                TestLoops.UNIT_TEST_API_KEY.verifier());
        byte[] value = ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data("p-8", "loop-1")));
        LoopKey open = new LoopKey(signer.keyId(), "loop-1", signer.publicKeyBase64(), t, null, null, "adam", t);
        assertThat(parser.parse(null, value, with.apply(open), t.plusDays(1)).proposalId()).isEqualTo("p-8");
        assertThatThrownBy(() -> parser.parse(null, value, with.apply(open), t.minusSeconds(1)))
                .hasMessageContaining("valid only from");
        LoopKey ended = new LoopKey(signer.keyId(), "loop-1", signer.publicKeyBase64(), t, t.plusDays(1), null, "adam", t);
        assertThatThrownBy(() -> parser.parse(null, value, with.apply(ended), t.plusDays(2))).hasMessageContaining("expired");
        LoopKey revoked = new LoopKey(signer.keyId(), "loop-1", signer.publicKeyBase64(), t, null, t.plusHours(1), "adam", t);
        assertThatThrownBy(() -> parser.parse(null, value, with.apply(revoked), t.plusHours(2)))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> {
                    assertThat(e.code()).isEqualTo("bad-signature");
                    assertThat(e.getMessage()).contains("revoked");
                });
    }

    @Test
    void aDisabledLoopIsRefused() {
        OffsetDateTime t = OffsetDateTime.of(2026, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        var signer = TestLoops.signer("loop-1");
        LoopSnapshot disabled = new LoopSnapshot(1, java.util.Map.of("loop-1",
                new Loop("loop-1", "dgm", null, List.of(), List.of(), Loop.Status.DISABLED, "adam", t, "adam", t, 1,
                        List.of(new LoopKey(signer.keyId(), "loop-1", signer.publicKeyBase64(), t, null, null, "adam", t)))),
                TestLoops.UNIT_TEST_API_KEY.verifier());
        assertThatThrownBy(() -> parser.parse(null, ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data("p-9", "loop-1"))),
                disabled, NOW))
                .isInstanceOfSatisfying(MalformedProposalException.class, e -> assertThat(e.code()).isEqualTo("loop-disabled"));
    }
}
