package rsi.gate_test

import data.rsi.gate

scored(metric, value, baseline) := input_with({"evaluations": [{
	"benchmark": "swe-bench", "subset": "verified", "metric": metric,
	"value": value, "baseline": baseline, "n": 500, "evaluatorDigest": pinned_digest,
}]})

test_drop_within_tolerance_is_reviewed if {
	gate.decision.outcome == "REVIEW" with input as scored("accuracy", 0.49, 0.5)
}

test_drop_equal_to_tolerance_is_reviewed if {
	gate.decision.outcome == "REVIEW" with input as scored("accuracy", 0.48, 0.5)
}

test_drop_beyond_tolerance_is_denied if {
	d := gate.decision with input as scored("accuracy", 0.47, 0.5)
	d.outcome == "DENY"
	rules(d) == ["regression"]
}

test_metric_specific_tolerance_applies if {
	gate.decision.outcome == "DENY" with input as scored("pass@1", 0.47, 0.5)
		with data.governor.limits.regression.toleranceByMetric["pass@1"] as 0.01
	gate.decision.outcome == "REVIEW" with input as scored("f1", 0.47, 0.5)
		with data.governor.limits.regression.defaultTolerance as 0.05
}

test_lower_is_better_metric_regresses_upwards if {
	rules(gate.decision) == ["regression"] with input as scored("loss", 1.05, 1.0)
	rules(gate.decision) == [] with input as scored("loss", 0.9, 1.0)
}

# Without a baseline the regression rule cannot judge; missing_evidence
# (evidence.rego) reports that instead of passing it as no regression.
test_evaluation_without_baseline_is_not_a_regression if {
	rules(gate.decision) == ["missing_evidence"] with input as input_with({"evaluations": [{
		"benchmark": "swe-bench", "subset": "verified", "metric": "accuracy",
		"value": 0.1, "n": 500, "evaluatorDigest": pinned_digest,
	}]})
}

test_negative_tolerance_makes_an_unchanged_score_a_regression if {
	rules(gate.decision) == ["regression"] with input as scored("accuracy", 0.5, 0.5)
		with data.governor.limits.regression.toleranceByMetric.accuracy as -0.01
	rules(gate.decision) == ["regression"] with input as scored("loss", 1.0, 1.0)
		with data.governor.limits.regression.defaultTolerance as -0.01
	rules(gate.decision) == [] with input as scored("accuracy", 0.52, 0.5)
		with data.governor.limits.regression.toleranceByMetric.accuracy as -0.01
}
