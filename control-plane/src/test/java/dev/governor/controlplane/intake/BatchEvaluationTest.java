package dev.governor.controlplane.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.gate.PolicyGate;
import dev.governor.controlplane.gate.TamperHistory;
import dev.governor.controlplane.proposal.Ancestry;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.killswitch.state.PauseState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** The decisions of a batch: each loop's proposals in turn, each in the context its loop's earlier decisions left. */
class BatchEvaluationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 2, 12, 0, 0, 0, ZoneOffset.UTC);
    private static final PauseState RUNNING = PauseState.initial(Instant.parse("2026-12-01T00:00:00Z"));
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private static BatchClassification.Pending pending(String id, String loop, String summary, double score) {
        ObjectNode data = MAPPER.createObjectNode().put("proposalId", id).put("loopId", loop).put("summary", summary);
        data.putArray("capabilityEvals").addObject().put("domain", "ai_rnd").put("score", score);
        return new BatchClassification.Pending(null, new Proposal(id, "urn:test", NOW, data, "d", null), Ancestry.ROOT);
    }

    /** A stand-in gate: the summary says the outcome ("deny", "tamper" or anything for review); it notes the context it was given. */
    private BiFunction<BatchClassification.Pending, PolicyGate.Context, PolicyGate.Decision> gate() {
        return (p, context) -> {
            String summary = p.proposal().data().path("summary").asText();
            seen.add(p.proposal().proposalId() + " lowest=" + context.capabilityHistory().stream()
                    .map(o -> String.valueOf(o.score())).findFirst().orElse("-")
                    + " attempts=" + context.tamperAttempts().stream().map(TamperHistory.Attempt::proposalId).toList());
            boolean deny = !summary.equals("review");
            ObjectNode result = MAPPER.createObjectNode().put("outcome", deny ? "DENY" : "REVIEW").put("tier", "standard")
                    .put("requiredApprovals", 1).put("haltLoop", false).put("tampering", summary.equals("tamper"));
            return new PolicyGate.Decision(UUID.randomUUID(), p.proposal().proposalId(), "rsi/gate/decision", "rsi", "r", "test",
                    MAPPER.createObjectNode(), "0", result, NOW, MAPPER.createObjectNode());
        };
    }

    @Test
    void aScoreCountsForTheNextProposalOfItsLoopOnlyWhenItsProposalWasNotDenied() {
        List<BatchClassification.Pending> batch = List.of(
                pending("a", "loop", "deny", 0.10),
                pending("b", "loop", "review", 0.40),
                pending("c", "loop", "review", 0.90),
                pending("x", "other", "review", 0.05));

        BatchEvaluation.Result r = BatchEvaluation.start(batch, Map.of(), RUNNING, NOW, executor, gate()).await();

        assertThat(r.decisions()).extracting(PolicyGate.Decision::proposalId).containsExactly("a", "b", "c", "x");
        assertThat(seen).contains("a lowest=- attempts=[]", "b lowest=- attempts=[]", "c lowest=0.4 attempts=[]",
                "x lowest=- attempts=[]");
        assertThat(r.after().get("loop").lowest().get("ai_rnd").score()).isEqualTo(0.40);
        assertThat(r.after().get("other").lowest().get("ai_rnd").score()).isEqualTo(0.05);
    }

    @Test
    void aTamperingAttemptCountsForTheNextProposalsOfItsLoopNewestFirst() {
        Map<String, BatchEvaluation.LoopState> before = new HashMap<>();
        before.put("loop", new BatchEvaluation.LoopState(Map.of(), List.of(new TamperHistory.Attempt("old", NOW.minusMinutes(30)))));

        BatchEvaluation.Result r = BatchEvaluation.start(List.of(pending("t1", "loop", "tamper", 0.1),
                pending("t2", "loop", "tamper", 0.1), pending("t3", "loop", "tamper", 0.1)), before, RUNNING, NOW, executor, gate()).await();

        assertThat(seen).containsExactly("t1 lowest=- attempts=[old]", "t2 lowest=- attempts=[t1, old]",
                "t3 lowest=- attempts=[t2, t1, old]");
        assertThat(r.after().get("loop").tamperAttempts()).extracting(TamperHistory.Attempt::proposalId)
                .containsExactly("t3", "t2", "t1", "old");
    }

    @Test
    void aBatchStartsFromTheStateTheBatchBeforeLeftItsLoopsIn() {
        BatchEvaluation.Result first = BatchEvaluation.start(List.of(pending("a", "loop", "review", 0.30)), Map.of(), RUNNING, NOW,
                executor, gate()).await();

        BatchEvaluation.start(List.of(pending("b", "loop", "review", 0.50)), first.after(), RUNNING, NOW, executor, gate()).await();

        assertThat(seen).containsExactly("a lowest=- attempts=[]", "b lowest=0.3 attempts=[]");
    }
}
