package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The gate's answer for one proposal: {@code data.rsi.gate.decision}, field for field.
 *
 * <p>There is no ALLOW: a REVIEW outcome still needs {@code requiredApprovals} distinct
 * safety officers before anything is promoted.
 */
public record PolicyDecision(
        Outcome outcome,
        Tier tier,
        int requiredApprovals,
        List<Violation> violations,
        List<Breach> breaches,
        boolean haltLoop,
        List<Signal> signals,
        boolean tampering,
        Evidence evidence) {

    public PolicyDecision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(tier, "tier");
        violations = List.copyOf(violations);
        breaches = List.copyOf(breaches);
        signals = List.copyOf(signals);
    }

    /** A decision without oversight signals, tampering or Governor's evidence (a bundle older than them). */
    public PolicyDecision(Outcome outcome, Tier tier, int requiredApprovals, List<Violation> violations, List<Breach> breaches,
            boolean haltLoop) {
        this(outcome, tier, requiredApprovals, violations, breaches, haltLoop, List.of(), false, null);
    }

    /**
     * What Governor computed itself and the decision used: its count of unpromoted generations
     * (null when the input carried no number there, which Governor never sends), whether the
     * chain reached a parent it never received, and the loop's earlier tampering attempts within
     * the policy's window.
     */
    public record Evidence(Long generationsSinceLastPromoted, boolean unknownAncestry, long tamperAttemptsInWindow) {
    }

    public enum Outcome {
        DENY,
        REVIEW
    }

    public enum Tier {
        STANDARD,
        ELEVATED,
        CRITICAL;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Level {
        ALERT,
        CRITICAL;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A rule finding; {@code rule} is a stable identifier such as {@code evaluator_tamper}. */
    public record Violation(String rule, String message) {
        public Violation {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(message, "message");
        }
    }

    /** A capability threshold reached in one domain, and the framework text the level follows. */
    public record Breach(String domain, Level level, double score, double threshold, String framework) {
        public Breach {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(framework, "framework");
        }
    }

    /**
     * Something in the change a reviewer should look at twice, such as a removed logging call:
     * it raises the tier and never denies. {@code line} is the line in the new file for an added
     * line, in the old file for a removed one.
     */
    public record Signal(String rule, String file, long line, String message) {
        public Signal {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Reads a decision document as the policy returns it. A decision of a bundle older than
     * {@code signals} has none.
     *
     * @throws PolicyEngineException when a field is missing or has the wrong type or value
     */
    public static PolicyDecision fromJson(JsonNode result) {
        if (result == null || !result.isObject()) {
            throw new PolicyEngineException("policy result is not a decision object: " + result);
        }
        List<Violation> violations = new ArrayList<>();
        for (JsonNode v : array(result, "violations")) {
            violations.add(new Violation(text(v, "rule"), text(v, "message")));
        }
        List<Breach> breaches = new ArrayList<>();
        for (JsonNode b : array(result, "breaches")) {
            breaches.add(new Breach(
                    text(b, "domain"),
                    enumValue(Level.class, b, "level"),
                    number(b, "score"),
                    number(b, "threshold"),
                    text(b, "framework")));
        }
        List<Signal> signals = new ArrayList<>();
        if (result.has("signals")) {
            for (JsonNode s : array(result, "signals")) {
                JsonNode line = field(s, "line");
                if (!line.canConvertToExactIntegral()) {
                    throw new PolicyEngineException("policy result has a signal whose line is not a whole number: " + result);
                }
                signals.add(new Signal(text(s, "rule"), text(s, "file"), line.longValue(), text(s, "message")));
            }
        }
        JsonNode approvals = field(result, "requiredApprovals");
        JsonNode halt = field(result, "haltLoop");
        if (!approvals.canConvertToExactIntegral() || !halt.isBoolean()) {
            throw new PolicyEngineException("policy result has a malformed requiredApprovals or haltLoop: " + result);
        }
        JsonNode tampering = result.get("tampering");
        if (tampering != null && !tampering.isBoolean()) {
            throw new PolicyEngineException("policy result has a malformed tampering: " + result);
        }
        Evidence evidence = null;
        if (result.has("evidence")) {
            JsonNode e = result.get("evidence");
            JsonNode generations = e.get("generationsSinceLastPromoted");
            JsonNode unknown = field(e, "unknownAncestry");
            JsonNode attempts = field(e, "tamperAttemptsInWindow");
            if ((generations != null && !generations.canConvertToExactIntegral()) || !unknown.isBoolean()
                    || !attempts.canConvertToExactIntegral()) {
                throw new PolicyEngineException("policy result has a malformed evidence: " + result);
            }
            evidence = new Evidence(generations == null ? null : generations.longValue(), unknown.booleanValue(), attempts.longValue());
        }
        return new PolicyDecision(
                enumValue(Outcome.class, result, "outcome"),
                enumValue(Tier.class, result, "tier"),
                approvals.intValue(),
                violations,
                breaches,
                halt.booleanValue(),
                signals,
                tampering != null && tampering.booleanValue(),
                evidence);
    }

    /** The decision as the policy's JSON document (for storage, the decision log and Kafka). */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode node = f.objectNode();
        node.put("outcome", outcome.name());
        node.put("tier", tier.jsonName());
        node.put("requiredApprovals", requiredApprovals);
        ArrayNode vs = node.putArray("violations");
        for (Violation v : violations) {
            vs.addObject().put("rule", v.rule()).put("message", v.message());
        }
        ArrayNode bs = node.putArray("breaches");
        for (Breach b : breaches) {
            bs.addObject()
                    .put("domain", b.domain())
                    .put("level", b.level().jsonName())
                    .put("score", b.score())
                    .put("threshold", b.threshold())
                    .put("framework", b.framework());
        }
        node.put("haltLoop", haltLoop);
        ArrayNode ss = node.putArray("signals");
        for (Signal s : signals) {
            ss.addObject().put("rule", s.rule()).put("file", s.file()).put("line", s.line()).put("message", s.message());
        }
        node.put("tampering", tampering);
        if (evidence != null) {
            ObjectNode e = node.putObject("evidence");
            if (evidence.generationsSinceLastPromoted() != null) {
                e.put("generationsSinceLastPromoted", evidence.generationsSinceLastPromoted());
            }
            e.put("unknownAncestry", evidence.unknownAncestry()).put("tamperAttemptsInWindow", evidence.tamperAttemptsInWindow());
        }
        return node;
    }

    private static JsonNode field(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new PolicyEngineException("policy result lacks '" + name + "': " + node);
        }
        return value;
    }

    private static JsonNode array(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (!value.isArray()) {
            throw new PolicyEngineException("policy result field '" + name + "' is not an array: " + node);
        }
        return value;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (!value.isTextual()) {
            throw new PolicyEngineException("policy result field '" + name + "' is not a string: " + node);
        }
        return value.textValue();
    }

    private static double number(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (!value.isNumber()) {
            throw new PolicyEngineException("policy result field '" + name + "' is not a number: " + node);
        }
        return value.doubleValue();
    }

    /** Outcomes are spelled in upper case, tiers and levels in lower case, as in the policy. */
    private static <E extends Enum<E>> E enumValue(Class<E> type, JsonNode node, String name) {
        String value = text(node, name);
        for (E constant : type.getEnumConstants()) {
            String spelling = type == Outcome.class ? constant.name() : constant.name().toLowerCase(Locale.ROOT);
            if (spelling.equals(value)) {
                return constant;
            }
        }
        throw new PolicyEngineException("policy result field '" + name + "' has unknown value '" + value + "': " + node);
    }
}
