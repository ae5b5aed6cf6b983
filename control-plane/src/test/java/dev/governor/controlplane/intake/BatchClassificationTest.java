package dev.governor.controlplane.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.gate.PolicyGate;
import dev.governor.controlplane.proposal.MalformedProposalException;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.killswitch.state.PauseState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How intake sorts a batch before anything is stored: new, duplicate, conflicting, malformed, and the context of each decision. */
class BatchClassificationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 2, 12, 0, 0, 0, ZoneOffset.UTC);
    private static final PauseState RUNNING = PauseState.initial(Instant.parse("2026-12-01T00:00:00Z"));
    private long offset;

    private IntakeRecord proposal(String id, String loop, String digest, double... scores) {
        ObjectNode data = MAPPER.createObjectNode().put("proposalId", id).put("loopId", loop).put("kind", "code_patch");
        var evals = data.putArray("capabilityEvals");
        for (int i = 0; i < scores.length; i++) {
            evals.addObject().put("domain", "d" + i).put("score", scores[i]);
        }
        data.putArray("lineage").add("g1").add("g2");
        return record(new Proposal(id, "urn:test", NOW, data, digest, null), null);
    }

    private IntakeRecord malformed(String code) {
        return record(null, new MalformedProposalException(code, "bad: " + code));
    }

    private IntakeRecord record(Proposal p, MalformedProposalException e) {
        long o = offset++;
        return new IntakeRecord("rsi.proposals", 0, o, "k" + o, new byte[0], 0, "sha", null, p, e);
    }

    private static BatchClassification classify(List<IntakeRecord> batch, Map<String, String> known,
                                                Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest) {
        return BatchClassification.classify(batch, new HashMap<>(known), lowest, RUNNING, NOW);
    }

    @Test
    void newProposalsAreDecidedInRecordOrderAndAccepted() {
        BatchClassification c = classify(List.of(proposal("a", "loop", "1"), proposal("b", "loop", "2")), Map.of(), new HashMap<>());

        assertThat(c.pending()).extracting(p -> p.proposal().proposalId()).containsExactly("a", "b");
        assertThat(c.accepted()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2"));
        assertThat(c.duplicates()).isEmpty();
        assertThat(c.refusals()).isEmpty();
        assertThat(c.pending().get(0).context().generationsSinceLastPromoted()).isEqualTo(2);
        assertThat(c.pending().get(0).context().killSwitchState()).isEqualTo("RUNNING");
    }

    @Test
    void anIdAlreadyReceivedWithTheSameContentIsADuplicateAndWithOtherContentAConflict() {
        BatchClassification c = classify(List.of(proposal("stored", "loop", "1"), proposal("stored", "loop", "2"),
                proposal("fresh", "loop", "3"), proposal("fresh", "loop", "3"), proposal("fresh", "loop", "4")),
                Map.of("stored", "1"), new HashMap<>());

        assertThat(c.pending()).extracting(p -> p.proposal().proposalId()).containsExactly("fresh");
        assertThat(c.duplicates()).containsExactly("stored", "fresh");
        assertThat(c.refusals()).extracting(Refusal::code).containsExactly("conflict", "conflict");
        assertThat(c.refusals()).allMatch(r -> r.type() == AuditEventType.PROPOSAL_CONFLICT);
        assertThat(c.refusals().get(0).reason()).contains("already received with digest 1").contains("this one has digest 2");
        assertThat(c.refusals().get(1).reason()).contains("already received with digest 3").contains("this one has digest 4");
    }

    @Test
    void aMalformedRecordIsRefusedWithItsOwnReasonAndTheRestGoOn() {
        BatchClassification c = classify(List.of(malformed("not-json"), proposal("a", "loop", "1"), malformed("schema")),
                Map.of(), new HashMap<>());

        assertThat(c.refusals()).extracting(Refusal::code).containsExactly("not-json", "schema");
        assertThat(c.refusals()).allMatch(r -> r.type() == AuditEventType.PROPOSAL_MALFORMED);
        assertThat(c.refusals().get(0).reason()).isEqualTo("not-json: bad: not-json");
        assertThat(c.pending()).hasSize(1);
    }

    @Test
    void earlierProposalsOfTheSameLoopInTheBatchCountForTheRateRule() {
        Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest = new HashMap<>();
        lowest.computeIfAbsent("loop", k -> new HashMap<>())
                .put("d0", new PolicyGate.CapabilityObservation("d0", 0.50, NOW.minusDays(1)));

        BatchClassification c = classify(List.of(proposal("a", "loop", "1", 0.40), proposal("b", "loop", "2", 0.90),
                proposal("c", "other", "3", 0.10)), Map.of(), lowest);

        assertThat(c.pending().get(0).context().capabilityHistory()).extracting(PolicyGate.CapabilityObservation::score)
                .containsExactly(0.50);
        assertThat(c.pending().get(1).context().capabilityHistory()).extracting(PolicyGate.CapabilityObservation::score)
                .containsExactly(0.40);
        assertThat(c.pending().get(2).context().capabilityHistory()).isEmpty();
        assertThat(c.lowestAfter().get("loop").get("d0").score()).isEqualTo(0.40);
        assertThat(c.lowestAfter().get("other").get("d0").score()).isEqualTo(0.10);
    }
}
