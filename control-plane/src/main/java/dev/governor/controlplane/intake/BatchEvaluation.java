package dev.governor.controlplane.intake;

import dev.governor.controlplane.gate.CapabilityHistory;
import dev.governor.controlplane.gate.DecisionRecorder;
import dev.governor.controlplane.gate.PolicyGate;
import dev.governor.controlplane.gate.TamperHistory;
import dev.governor.killswitch.state.PauseState;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/**
 * The policy decisions of a batch: the proposals of one loop are decided one after the other, in
 * record order, each in the context its loop's earlier decisions left (a score counts for the
 * rate rule only once its proposal was not denied; a tampering attempt counts towards the next);
 * different loops are decided in parallel. The result is the same however the records were cut
 * into batches, since a batch starts from what the batch before it ended with.
 */
final class BatchEvaluation {

    /** What a loop's next proposal is decided against: its lowest recent scores per domain, its recent tampering attempts. */
    record LoopState(Map<String, PolicyGate.CapabilityObservation> lowest, List<TamperHistory.Attempt> tamperAttempts) {

        static final LoopState EMPTY = new LoopState(Map.of(), List.of());

        /** The state after {@code decision} on a proposal whose scores are {@code observed}. */
        LoopState after(PolicyGate.Decision decision, List<PolicyGate.CapabilityObservation> observed, OffsetDateTime now) {
            Map<String, PolicyGate.CapabilityObservation> lower = lowest;
            if (!decision.denies() && !observed.isEmpty()) {
                lower = new HashMap<>(lowest);
                for (PolicyGate.CapabilityObservation o : observed) {
                    CapabilityHistory.lower(lower, o);
                }
                lower = Map.copyOf(lower);
            }
            List<TamperHistory.Attempt> attempts = decision.tampering()
                    ? TamperHistory.with(tamperAttempts, new TamperHistory.Attempt(decision.proposalId(), now))
                    : tamperAttempts;
            return new LoopState(lower, attempts);
        }
    }

    /** Every decision in the order of the pending proposals, and each loop's state after the batch. */
    record Result(List<PolicyGate.Decision> decisions, Map<String, LoopState> after) {
    }

    private record LoopResult(List<Integer> positions, List<PolicyGate.Decision> decisions, String loopId, LoopState after) {
    }

    private final List<Future<LoopResult>> loops;
    private final int size;

    private BatchEvaluation(List<Future<LoopResult>> loops, int size) {
        this.loops = loops;
        this.size = size;
    }

    /**
     * Starts deciding {@code pending} on {@code executor}, one task per loop.
     *
     * @param before each loop's state before the batch; a loop without one starts empty
     * @param decide the policy gate
     */
    static BatchEvaluation start(List<BatchClassification.Pending> pending, Map<String, LoopState> before, PauseState halt,
                                 OffsetDateTime now, ExecutorService executor,
                                 BiFunction<BatchClassification.Pending, PolicyGate.Context, PolicyGate.Decision> decide) {
        Map<String, List<Integer>> byLoop = new LinkedHashMap<>();
        for (int i = 0; i < pending.size(); i++) {
            byLoop.computeIfAbsent(pending.get(i).proposal().loopId(), k -> new ArrayList<>()).add(i);
        }
        List<Future<LoopResult>> loops = new ArrayList<>(byLoop.size());
        byLoop.forEach((loopId, positions) -> loops.add(executor.submit(() -> {
            LoopState state = before.getOrDefault(loopId, LoopState.EMPTY);
            List<PolicyGate.Decision> decisions = new ArrayList<>(positions.size());
            for (int i : positions) {
                BatchClassification.Pending p = pending.get(i);
                PolicyGate.Decision d = decide.apply(p, DecisionRecorder.context(p.ancestry(), state.lowest(), state.tamperAttempts(), halt));
                decisions.add(d);
                state = state.after(d, CapabilityHistory.observations(p.proposal(), now), now);
            }
            return new LoopResult(positions, decisions, loopId, state);
        })));
        return new BatchEvaluation(loops, pending.size());
    }

    /** Waits for every loop's decisions. */
    Result await() {
        PolicyGate.Decision[] decisions = new PolicyGate.Decision[size];
        Map<String, LoopState> after = new HashMap<>();
        for (Future<LoopResult> f : loops) {
            LoopResult r;
            try {
                r = f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while deciding a batch", e);
            }
            for (int j = 0; j < r.positions().size(); j++) {
                decisions[r.positions().get(j)] = r.decisions().get(j);
            }
            after.put(r.loopId(), r.after());
        }
        return new Result(List.of(decisions), after);
    }

    /** Stops the decisions of a batch that will not be stored. */
    void cancel() {
        loops.forEach(f -> f.cancel(false));
    }
}
