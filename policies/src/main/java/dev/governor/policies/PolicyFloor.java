package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What any policy bundle put into force at run time must still do: deny tampering with
 * evaluators and oversight, unpinned evaluators, critical capability breaches (and halt the
 * loop), and anything while the kill switch is not running; and never send a proposal to review
 * with fewer approvals than the floor's minimum for the tier it answers. The cases are the
 * decision corpus's (policies/src/test/resources/corpus), shipped on the classpath by the build,
 * and so is the minimum per tier ({@value #MINIMUM_APPROVALS}): a candidate's own data cannot
 * lower either. A bundle may tighten the gate at run time; loosening one of these needs a new
 * Governor release, reviewed like code (ADR 0007).
 *
 * <p>Each case is run as written and as {@value #VARIANTS} variants with other proposal, loop,
 * run and lineage ids, source systems, artifact digests and kill-switch epochs, derived from the
 * case name by SHA-256; the fields the rules judge are left as they are. A bundle that behaves
 * only for the ids in the corpus files does not pass, and a refusal can be reproduced.
 */
public final class PolicyFloor {

    /** The rules the floor holds a bundle to. */
    public static final Set<String> FLOOR_RULES = Set.of("evaluator_tamper", "unpinned_evaluator", "capability_critical", "kill_switch");

    /** Corpus cases that must be denied (their expected decisions deny with a floor rule). */
    public static final List<String> DENY_CASES = List.of(
            "tamper-ai-scientist-time-limit-incident", "tamper-case-insensitive", "tamper-dgm-logging-incident",
            "tamper-evaluation-harness", "tamper-governor-client", "tamper-safety-monitor",
            "unnormalised-path-escapes-to-evals", "unpinned-evaluator-digest", "missing-evaluator-digest",
            "ai-rnd-at-critical", "cbrn-critical", "autonomy-critical-and-cyber-alert",
            "kill-switch-paused", "kill-switch-tripped", "everything-wrong", "malformed-types", "tamper-hidden-in-diff",
            "tamper-third-attempt-halts", "diff-index-second-file-into-evaluation", "diff-header-names-two-files",
            "symlink-into-evaluation");

    /**
     * Corpus cases the shipped policy reviews, at every tier: a bundle may deny them, or review
     * them with at least the floor's minimum approvals for the tier it answers.
     */
    public static final List<String> REVIEW_CASES = List.of(
            "clean-code-patch", "checkpoint-every-domain-evaluated",
            "ai-rnd-at-alert", "ai-rnd-just-below-critical", "cbrn-alert", "cyber-alert-persuasion-below",
            "training-recipe-without-recipe-text",
            "rate-above-limit", "rate-history-at-window-edge");

    /** Variants run per case besides the case as written. */
    public static final int VARIANTS = 4;

    /** Classpath resource with the floor's minimum approvals per tier. */
    public static final String MINIMUM_APPROVALS = "dev/governor/policies/floor/minimum-approvals.json";

    private static final String RESOURCE_DIR = "dev/governor/policies/floor/";
    private static final List<String> SOURCE_SYSTEMS = List.of("dgm", "shinka", "openevolve", "ai-scientist", "custom");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One floor case: the inputs it runs (the case as written first, then its variants) and what
     * the decision on each must hold to. For a {@code DENY} case: denied, naming {@code rules},
     * halting the loop when {@code haltLoop}. For a {@code REVIEW} case: denied, or reviewed
     * with at least the minimum approvals of the answered tier ({@code rules} is empty).
     */
    public record Case(String name, PolicyDecision.Outcome outcome, List<JsonNode> inputs, Set<String> rules, boolean haltLoop) {
        public Case {
            inputs = List.copyOf(inputs);
            rules = Set.copyOf(rules);
        }

        /** The input as the corpus file has it. */
        public JsonNode input() {
            return inputs.get(0);
        }
    }

    /** A case the bundle does not hold, and how. */
    public record Failure(String name, String problem) {
        @Override
        public String toString() {
            return name + ": " + problem;
        }
    }

    private final List<Case> cases;
    private final Map<PolicyDecision.Tier, Integer> minimumApprovals;

    private PolicyFloor(List<Case> cases, Map<PolicyDecision.Tier, Integer> minimumApprovals) {
        this.cases = List.copyOf(cases);
        this.minimumApprovals = Map.copyOf(minimumApprovals);
    }

    /** The floor shipped with this build of Governor. */
    public static PolicyFloor fromClasspath() {
        List<Case> cases = new ArrayList<>();
        for (String name : DENY_CASES) {
            cases.add(readCase(name, PolicyDecision.Outcome.DENY));
        }
        for (String name : REVIEW_CASES) {
            cases.add(readCase(name, PolicyDecision.Outcome.REVIEW));
        }
        return new PolicyFloor(cases, readMinimumApprovals());
    }

    public List<Case> cases() {
        return cases;
    }

    /** The fewest approvals a bundle may require for a proposal it reviews at each tier. */
    public Map<PolicyDecision.Tier, Integer> minimumApprovals() {
        return minimumApprovals;
    }

    /** Runs every case, as written and in every variant, through {@code engine}; empty when it holds the floor. */
    public List<Failure> check(PolicyEngine engine) {
        List<Failure> failures = new ArrayList<>();
        for (Case c : cases) {
            for (int variant = 0; variant < c.inputs().size(); variant++) {
                JsonNode input = c.inputs().get(variant);
                String name = variant == 0 ? c.name() : c.name() + " variant " + variant + " (proposal "
                        + input.path("proposal").path("proposalId").asText() + " of loop " + input.path("loop").path("loopId").asText() + ")";
                PolicyDecision decision;
                try {
                    decision = engine.decide(input);
                } catch (PolicyEngineException e) {
                    failures.add(new Failure(name, "no decision: " + e.getMessage()));
                    continue;
                }
                String problem = c.outcome() == PolicyDecision.Outcome.DENY ? denialProblem(c, decision) : reviewProblem(decision);
                if (problem != null) {
                    failures.add(new Failure(name, problem));
                }
            }
        }
        return failures;
    }

    private static String denialProblem(Case c, PolicyDecision decision) {
        Set<String> named = new TreeSet<>();
        decision.violations().forEach(v -> named.add(v.rule()));
        if (decision.outcome() != PolicyDecision.Outcome.DENY) {
            return "must be denied (" + String.join(", ", new TreeSet<>(c.rules())) + ") but the bundle answers " + decision.outcome();
        }
        if (!named.containsAll(c.rules())) {
            Set<String> missing = new TreeSet<>(c.rules());
            missing.removeAll(named);
            return "denied, but without the rule(s) " + missing;
        }
        if (c.haltLoop() && !decision.haltLoop()) {
            return "must halt the loop, but the bundle does not";
        }
        return null;
    }

    private String reviewProblem(PolicyDecision decision) {
        if (decision.outcome() != PolicyDecision.Outcome.REVIEW) {
            return null;
        }
        int minimum = minimumApprovals.get(decision.tier());
        if (decision.requiredApprovals() < minimum) {
            return "reviewed at tier " + decision.tier().jsonName() + " with " + decision.requiredApprovals()
                    + " required approval(s), below the floor's " + minimum + " for that tier";
        }
        return null;
    }

    private static Case readCase(String name, PolicyDecision.Outcome outcome) {
        ClassLoader loader = PolicyFloor.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name + ".json")) {
            if (in == null) {
                throw new PolicyEngineException("policy floor case " + RESOURCE_DIR + name + ".json is missing from the classpath");
            }
            JsonNode node = JSON.readTree(in);
            JsonNode expected = node.required("expected");
            if (!outcome.name().equals(expected.path("outcome").asText())) {
                throw new PolicyEngineException("policy floor case " + name + " is a " + outcome + " case but expects "
                        + expected.path("outcome").asText());
            }
            Set<String> rules = new TreeSet<>();
            if (outcome == PolicyDecision.Outcome.DENY) {
                expected.path("rules").forEach(r -> {
                    if (FLOOR_RULES.contains(r.asText())) {
                        rules.add(r.asText());
                    }
                });
                if (rules.isEmpty()) {
                    throw new PolicyEngineException("policy floor case " + name + " does not expect a denial by a floor rule");
                }
            }
            JsonNode given = node.required("input");
            List<JsonNode> inputs = new ArrayList<>();
            inputs.add(PolicyInput.of(given));
            for (int variant = 1; variant <= VARIANTS; variant++) {
                inputs.add(PolicyInput.of(variant(name, variant, given)));
            }
            return new Case(name, outcome, inputs, rules, expected.path("haltLoop").asBoolean());
        } catch (IOException e) {
            throw new PolicyEngineException("policy floor case " + name + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The case's input under other identities: everything an honest policy ignores is derived
     * from SHA-256 of the case name, the variant number and the field, so it is the same on every
     * run and differs between variants. The source system is another one for each variant.
     */
    static JsonNode variant(String name, int variant, JsonNode given) {
        ObjectNode input = given.deepCopy();
        Ids ids = new Ids(name, variant);
        String sourceSystem = SOURCE_SYSTEMS.get(
                (Math.max(0, SOURCE_SYSTEMS.indexOf(given.path("proposal").path("sourceSystem").asText())) + variant) % SOURCE_SYSTEMS.size());
        String loopId = sourceSystem + "-" + ids.hex("loop", 6);
        if (input.get("proposal") instanceof ObjectNode proposal) {
            String proposalId = ids.uuid("proposal");
            proposal.put("proposalId", proposalId);
            proposal.put("loopId", loopId);
            proposal.put("sourceSystem", sourceSystem);
            proposal.put("runId", "run-" + ids.hex("run", 12));
            if (proposal.path("parentId").isTextual()) {
                proposal.put("parentId", ids.uuid("id:" + proposal.get("parentId").asText()));
            }
            if (proposal.path("generation").isIntegralNumber()) {
                proposal.put("generation", proposal.get("generation").asInt() + 3 * variant);
            }
            if (proposal.get("lineage") instanceof ArrayNode lineage) {
                for (JsonNode ancestor : lineage) {
                    if (ancestor instanceof ObjectNode a && a.path("id").isTextual()) {
                        a.put("sha256", ids.hex("sha:" + a.get("id").asText(), 64));
                        a.put("id", ids.uuid("id:" + a.get("id").asText()));
                    }
                }
            }
            if (proposal.get("artifact") instanceof ObjectNode artifact) {
                if (artifact.path("sha256").isTextual()) {
                    artifact.put("sha256", ids.hex("artifact", 64));
                }
                if (artifact.path("uri").isTextual()) {
                    artifact.put("uri", "s3://rsi-artifacts/" + loopId + "/" + proposalId);
                }
            }
        }
        ObjectNode loop = input.get("loop") instanceof ObjectNode existing ? existing : input.putObject("loop");
        loop.put("loopId", loopId);
        loop.put("sourceSystem", sourceSystem);
        if (input.path("killSwitch").path("epoch").isIntegralNumber()) {
            ((ObjectNode) input.get("killSwitch")).put("epoch", input.get("killSwitch").get("epoch").asLong() + 11L * variant);
        }
        return input;
    }

    /** Deterministic ids for one variant of one case. */
    private record Ids(String caseName, int variant) {
        byte[] digest(String field) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(
                        ("governor policy floor\n" + caseName + "\n" + variant + "\n" + field).getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }

        String hex(String field, int length) {
            return HexFormat.of().formatHex(digest(field)).substring(0, length);
        }

        String uuid(String field) {
            String h = hex(field, 32);
            return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-" + h.substring(20);
        }
    }

    private static Map<PolicyDecision.Tier, Integer> readMinimumApprovals() {
        try (InputStream in = PolicyFloor.class.getClassLoader().getResourceAsStream(MINIMUM_APPROVALS)) {
            if (in == null) {
                throw new PolicyEngineException("policy floor " + MINIMUM_APPROVALS + " is missing from the classpath");
            }
            JsonNode byTier = JSON.readTree(in).path("minimumApprovals");
            Map<PolicyDecision.Tier, Integer> minimum = new EnumMap<>(PolicyDecision.Tier.class);
            for (PolicyDecision.Tier tier : PolicyDecision.Tier.values()) {
                JsonNode n = byTier.path(tier.jsonName());
                if (!n.isIntegralNumber() || n.asInt() < 1) {
                    throw new PolicyEngineException("policy floor " + MINIMUM_APPROVALS + " must give minimumApprovals."
                            + tier.jsonName() + " as a whole number of at least 1, not " + n);
                }
                minimum.put(tier, n.asInt());
            }
            return minimum;
        } catch (IOException e) {
            throw new PolicyEngineException("policy floor " + MINIMUM_APPROVALS + " cannot be read: " + e.getMessage(), e);
        }
    }
}
