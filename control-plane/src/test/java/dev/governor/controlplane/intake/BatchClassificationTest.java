package dev.governor.controlplane.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.proposal.Ancestry;
import dev.governor.controlplane.proposal.MalformedProposalException;
import dev.governor.controlplane.proposal.Proposal;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How intake sorts a batch before anything is stored: new, duplicate, conflicting, malformed, and the lineage Governor counts. */
class BatchClassificationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 2, 12, 0, 0, 0, ZoneOffset.UTC);
    private long offset;

    private IntakeRecord proposal(String id, String parent, String digest) {
        ObjectNode data = MAPPER.createObjectNode().put("proposalId", id).put("loopId", "loop").put("kind", "code_patch");
        if (parent != null) {
            data.put("parentId", parent);
        }
        data.putArray("lineage");
        return record(new Proposal(id, "urn:test", NOW, data, digest, null), null);
    }

    private IntakeRecord malformed(String code) {
        return record(null, new MalformedProposalException(code, "bad: " + code));
    }

    private IntakeRecord record(Proposal p, MalformedProposalException e) {
        long o = offset++;
        return new IntakeRecord("rsi.proposals", 0, o, "k" + o, new byte[0], 0, "sha", null, p, e, List.of());
    }

    private static BatchClassification classify(List<IntakeRecord> batch, Map<String, String> stored) {
        return BatchClassification.classify(batch, stored, Map.of(), Map.of());
    }

    @Test
    void newProposalsAreAcceptedInRecordOrder() {
        BatchClassification c = classify(List.of(proposal("a", null, "1"), proposal("b", null, "2")), Map.of());

        assertThat(c.pending()).extracting(p -> p.proposal().proposalId()).containsExactly("a", "b");
        assertThat(c.accepted()).containsOnlyKeys("a", "b");
        assertThat(c.accepted().get("a").contentDigest()).isEqualTo("1");
        assertThat(c.duplicates()).isEmpty();
        assertThat(c.refusals()).isEmpty();
    }

    @Test
    void anIdAlreadyReceivedWithTheSameContentIsADuplicateAndWithOtherContentAConflict() {
        BatchClassification c = classify(List.of(proposal("stored", null, "1"), proposal("stored", null, "2"),
                proposal("fresh", null, "3"), proposal("fresh", null, "3"), proposal("fresh", null, "4")), Map.of("stored", "1"));

        assertThat(c.pending()).extracting(p -> p.proposal().proposalId()).containsExactly("fresh");
        assertThat(c.duplicates()).containsExactly("stored", "fresh");
        assertThat(c.refusals()).extracting(Refusal::code).containsExactly("conflict", "conflict");
        assertThat(c.refusals()).allMatch(r -> r.type() == AuditEventType.PROPOSAL_CONFLICT);
        assertThat(c.refusals().get(0).reason()).contains("already received with digest 1").contains("this one has digest 2");
        assertThat(c.refusals().get(1).reason()).contains("already received with digest 3").contains("this one has digest 4");
    }

    @Test
    void aProposalTheBatchBeforeAcceptedIsKnownToo() {
        Map<String, BatchClassification.Accepted> unstored = Map.of("prev", new BatchClassification.Accepted("9", Ancestry.ROOT));

        BatchClassification c = BatchClassification.classify(List.of(proposal("prev", null, "9"), proposal("prev", null, "8")),
                Map.of(), unstored, Map.of());

        assertThat(c.pending()).isEmpty();
        assertThat(c.duplicates()).containsExactly("prev");
        assertThat(c.refusals()).extracting(Refusal::code).containsExactly("conflict");
    }

    @Test
    void aMalformedRecordIsRefusedWithItsOwnReasonAndTheRestGoOn() {
        BatchClassification c = classify(List.of(malformed("not-json"), proposal("a", null, "1"), malformed("schema")), Map.of());

        assertThat(c.refusals()).extracting(Refusal::code).containsExactly("not-json", "schema");
        assertThat(c.refusals()).allMatch(r -> r.type() == AuditEventType.PROPOSAL_MALFORMED);
        assertThat(c.refusals().get(0).reason()).isEqualTo("not-json: bad: not-json");
        assertThat(c.pending()).hasSize(1);
    }

    @Test
    void lineageIsCountedFromTheParentChainNotFromWhatTheLoopLists() {
        Map<String, Ancestry> childOfStored = Map.of("promoted", Ancestry.ROOT, "three-deep", new Ancestry(3, false));
        Map<String, BatchClassification.Accepted> unstored = Map.of("prev", new BatchClassification.Accepted("p", new Ancestry(4, false)));

        BatchClassification c = BatchClassification.classify(List.of(
                proposal("root", null, "1"),
                proposal("after-promoted", "promoted", "2"),
                proposal("deep", "three-deep", "3"),
                proposal("deeper", "deep", "4"),
                proposal("after-prev", "prev", "5"),
                proposal("orphan", "never-received", "6")), Map.of(), unstored, childOfStored);

        assertThat(c.pending()).extracting(p -> p.proposal().proposalId() + "=" + p.ancestry().generations()
                + (p.ancestry().unknown() ? "?" : "")).containsExactly(
                "root=0", "after-promoted=0", "deep=3", "deeper=4", "after-prev=5", "orphan=1?");
    }
}
