package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.controlplane.proposal.Ancestry;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.policies.PolicyEngine;
import dev.governor.policies.PolicyEvaluation;
import dev.governor.policies.PolicyInput;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Asks the policy engine about a proposal and returns the decision as OPA's decision log would
 * record it: id, bundle revision, path, input, input digest, result, timestamp and timing.
 */
@ApplicationScoped
public class PolicyGate {

    public static final String DECISION_PATH = "rsi/gate/decision";
    public static final String BUNDLE_NAME = "rsi";

    private final PolicyEngine engine;
    private final ObjectMapper mapper;
    private final Timer evalTimer;
    private final Clock clock = Clock.systemUTC();

    public PolicyGate(PolicyEngine engine, ObjectMapper mapper, MeterRegistry registry) {
        this.engine = engine;
        this.mapper = mapper;
        this.evalTimer = Timer.builder("governor.policy.evaluation")
                .description("Time to evaluate one proposal against the policy bundle")
                .tag("engine", engine.name())
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    public String revision() {
        return engine.revision();
    }

    public String engineName() {
        return engine.name();
    }

    /** What Governor knows beside the proposal itself, as the policy's input expects it. */
    public record Context(Ancestry ancestry, List<CapabilityObservation> capabilityHistory,
                          List<TamperHistory.Attempt> tamperAttempts, String killSwitchState, long killSwitchEpoch) {

        /** The same context on another kill-switch state. */
        public Context onKillSwitch(String state, long epoch) {
            return new Context(ancestry, capabilityHistory, tamperAttempts, state, epoch);
        }
    }

    public record CapabilityObservation(String domain, double score, OffsetDateTime observedAt) {
    }

    @WithSpan("PolicyGate.decide")
    public Decision decide(Proposal proposal, Context context) {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        ObjectNode input = input(proposal, context, now);
        long start = System.nanoTime();
        PolicyEvaluation evaluation = engine.evaluate(input);
        long elapsed = System.nanoTime() - start;
        JsonNode result = evaluation.decision().toJson();
        evalTimer.record(elapsed, java.util.concurrent.TimeUnit.NANOSECONDS);
        ObjectNode metrics = mapper.createObjectNode().put("timer_rego_query_eval_ns", elapsed);
        return new Decision(UUID.randomUUID(), proposal.proposalId(), DECISION_PATH, BUNDLE_NAME, evaluation.revision(),
                evaluation.engine(), input, CanonicalJson.sha256Hex(input), result, now, metrics);
    }

    private ObjectNode input(Proposal proposal, Context context, OffsetDateTime now) {
        ObjectNode input = mapper.createObjectNode();
        input.set("proposal", proposal.data());
        ObjectNode lineage = input.putObject("lineage");
        lineage.put("generationsSinceLastPromoted", context.ancestry().generations());
        lineage.put("unknownAncestry", context.ancestry().unknown());
        ArrayNode history = lineage.putArray("capabilityHistory");
        for (CapabilityObservation o : context.capabilityHistory()) {
            history.addObject().put("domain", o.domain()).put("score", o.score()).put("time", o.observedAt().toString())
                    .put("ageSeconds", java.time.Duration.between(o.observedAt(), now).toSeconds());
        }
        ObjectNode loop = input.putObject("loop").put("loopId", proposal.loopId()).put("sourceSystem", proposal.sourceSystem());
        ArrayNode attempts = loop.putArray("recentTamperAttempts");
        for (TamperHistory.Attempt a : context.tamperAttempts()) {
            attempts.addObject().put("proposalId", a.proposalId()).put("time", a.decidedAt().toString())
                    .put("ageSeconds", java.time.Duration.between(a.decidedAt(), now).toSeconds());
        }
        input.putObject("killSwitch").put("state", context.killSwitchState()).put("epoch", context.killSwitchEpoch());
        // No clock in the input: the policy has none, so a replay of the stored input decides the same.
        // The inline diff goes in as what Governor read from it (files, size), not as text (ADR 0011).
        return PolicyInput.of(input);
    }

    /** A decision in the fields of OPA's decision log ({@code decision_id}, {@code bundles.rsi.revision}, ...). */
    public record Decision(UUID decisionId, String proposalId, String path, String bundleName, String revision,
                           String engine, ObjectNode input, String inputDigest, JsonNode result,
                           OffsetDateTime timestamp, ObjectNode metrics) {

        public String outcome() {
            return result.path("outcome").asText();
        }

        public String tier() {
            return result.path("tier").asText();
        }

        public int requiredApprovals() {
            return result.path("requiredApprovals").asInt();
        }

        public boolean haltLoop() {
            return result.path("haltLoop").asBoolean();
        }

        /** The policy found tampering: the proposal counts towards its loop's repeated attempts. */
        public boolean tampering() {
            return result.path("tampering").asBoolean();
        }

        public boolean denies() {
            return "DENY".equals(outcome());
        }
    }
}
