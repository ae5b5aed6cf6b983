package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What any policy bundle put into force at run time must still do: deny tampering with
 * evaluators and oversight, unpinned evaluators, critical capability breaches (and halt the
 * loop), and anything while the kill switch is not running. The cases are the decision corpus's
 * (policies/src/test/resources/corpus), shipped on the classpath by the build. A bundle may
 * tighten the gate at run time; loosening one of these needs a new Governor release, reviewed
 * like code (ADR 0007).
 */
public final class PolicyFloor {

    /** The rules the floor holds a bundle to. */
    public static final Set<String> FLOOR_RULES = Set.of("evaluator_tamper", "unpinned_evaluator", "capability_critical", "kill_switch");

    /** Corpus cases that make up the floor (their expected decisions deny with a floor rule). */
    public static final List<String> CASES = List.of(
            "tamper-ai-scientist-time-limit-incident", "tamper-case-insensitive", "tamper-dgm-logging-incident",
            "tamper-evaluation-harness", "tamper-governor-client", "tamper-safety-monitor",
            "unnormalised-path-escapes-to-evals", "unpinned-evaluator-digest", "missing-evaluator-digest",
            "ai-rnd-at-critical", "cbrn-critical", "autonomy-critical-and-cyber-alert",
            "kill-switch-paused", "kill-switch-tripped", "everything-wrong", "malformed-types", "tamper-hidden-in-diff",
            "diff-index-second-file-into-evaluation", "diff-header-names-two-files", "symlink-into-evaluation");

    private static final String RESOURCE_DIR = "dev/governor/policies/floor/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One floor case: an input and what the decision on it must at least contain. */
    public record Case(String name, JsonNode input, Set<String> rules, boolean haltLoop) {
    }

    /** A case the bundle does not hold, and how. */
    public record Failure(String name, String problem) {
        @Override
        public String toString() {
            return name + ": " + problem;
        }
    }

    private final List<Case> cases;

    private PolicyFloor(List<Case> cases) {
        this.cases = List.copyOf(cases);
    }

    /** The floor shipped with this build of Governor. */
    public static PolicyFloor fromClasspath() {
        List<Case> cases = new ArrayList<>();
        ClassLoader loader = PolicyFloor.class.getClassLoader();
        for (String name : CASES) {
            try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name + ".json")) {
                if (in == null) {
                    throw new PolicyEngineException("policy floor case " + RESOURCE_DIR + name + ".json is missing from the classpath");
                }
                JsonNode node = JSON.readTree(in);
                JsonNode expected = node.required("expected");
                Set<String> rules = new TreeSet<>();
                expected.path("rules").forEach(r -> {
                    if (FLOOR_RULES.contains(r.asText())) {
                        rules.add(r.asText());
                    }
                });
                if (!"DENY".equals(expected.path("outcome").asText()) || rules.isEmpty()) {
                    throw new PolicyEngineException("policy floor case " + name + " does not expect a denial by a floor rule");
                }
                cases.add(new Case(name, PolicyInput.of(node.required("input")), rules, expected.path("haltLoop").asBoolean()));
            } catch (IOException e) {
                throw new PolicyEngineException("policy floor case " + name + " cannot be read: " + e.getMessage(), e);
            }
        }
        return new PolicyFloor(cases);
    }

    public List<Case> cases() {
        return cases;
    }

    /** Runs every case through {@code engine}; empty when it holds the floor. */
    public List<Failure> check(PolicyEngine engine) {
        List<Failure> failures = new ArrayList<>();
        for (Case c : cases) {
            PolicyDecision decision;
            try {
                decision = engine.decide(c.input());
            } catch (PolicyEngineException e) {
                failures.add(new Failure(c.name(), "no decision: " + e.getMessage()));
                continue;
            }
            Set<String> named = new TreeSet<>();
            decision.violations().forEach(v -> named.add(v.rule()));
            if (decision.outcome() != PolicyDecision.Outcome.DENY) {
                failures.add(new Failure(c.name(), "must be denied (" + String.join(", ", c.rules()) + ") but the bundle answers "
                        + decision.outcome()));
            } else if (!named.containsAll(c.rules())) {
                Set<String> missing = new TreeSet<>(c.rules());
                missing.removeAll(named);
                failures.add(new Failure(c.name(), "denied, but without the rule(s) " + missing));
            } else if (c.haltLoop() && !decision.haltLoop()) {
                failures.add(new Failure(c.name(), "must halt the loop, but the bundle does not"));
            }
        }
        return failures;
    }
}
