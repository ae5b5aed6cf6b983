package rsi.gate_test

import data.rsi.gate

# Governor counted n unpromoted ancestors, and the loop lists the same n.
with_generations(n) := object.union(
	input_with({"lineage": [{"id": sprintf("p-%d", [i]), "sha256": "00"} | some i in numbers.range(1, n)]}),
	{"lineage": {"generationsSinceLastPromoted": n, "capabilityHistory": []}},
)

test_lineage_at_the_limit_is_reviewed if {
	gate.decision.outcome == "REVIEW" with input as with_generations(5)
}

test_lineage_over_the_limit_is_denied if {
	d := gate.decision with input as with_generations(6)
	d.outcome == "DENY"
	rules(d) == ["unreviewed_lineage"]
}

test_longer_lineage_claimed_by_the_loop_counts if {
	ancestors := [{"id": sprintf("p-%d", [i]), "sha256": "00"} | some i in numbers.range(1, 6)]
	d := gate.decision with input as input_with({"lineage": ancestors})
	rules(d) == ["lineage_mismatch", "unreviewed_lineage"]
}

test_missing_lineage_counts_as_zero if {
	d := gate.decision with input as object.remove(input_with({"lineage": []}), ["lineage"])
	d.outcome == "REVIEW"
}

test_lineage_is_governors_count_even_when_the_loop_claims_none if {
	d := gate.decision with input as object.union(input_with({"lineage": []}), {"lineage": {"generationsSinceLastPromoted": 6, "capabilityHistory": []}})
	d.outcome == "DENY"
	rules(d) == ["lineage_mismatch", "unreviewed_lineage"]
	d.evidence.generationsSinceLastPromoted == 6
}

test_a_lineage_list_that_disagrees_with_governors_count_is_denied if {
	d := gate.decision with input as object.union(input_with({"lineage": []}), {"lineage": {"generationsSinceLastPromoted": 1, "capabilityHistory": []}})
	d.outcome == "DENY"
	rules(d) == ["lineage_mismatch"]
}

test_a_lineage_list_that_agrees_is_not_a_mismatch if {
	ancestors := [{"id": sprintf("p-%d", [i]), "sha256": "00"} | some i in numbers.range(1, 3)]
	d := gate.decision with input as object.union(input_with({"lineage": ancestors}), {"lineage": {"generationsSinceLastPromoted": 3, "capabilityHistory": []}})
	d.outcome == "REVIEW"
	rules(d) == []
}

test_an_unknown_parent_is_counted_and_not_cross_checked if {
	d := gate.decision with input as object.union(
		input_with({"lineage": []}),
		{"lineage": {"generationsSinceLastPromoted": 1, "unknownAncestry": true, "capabilityHistory": []}},
	)
	d.outcome == "REVIEW"
	d.tier == "standard"
	rules(d) == []
	d.evidence == {"generationsSinceLastPromoted": 1, "unknownAncestry": true, "tamperAttemptsInWindow": 0}
}

test_an_unknown_parent_can_raise_the_tier_by_policy_data if {
	d := gate.decision with input as object.union(
		input_with({"lineage": []}),
		{"lineage": {"generationsSinceLastPromoted": 1, "unknownAncestry": true, "capabilityHistory": []}},
	)
		with data.governor.lineage.unknownAncestryEffect as "elevated_tier"
	d.outcome == "REVIEW"
	d.tier == "elevated"
	rules(d) == ["unknown_ancestry"]
}

test_the_effect_of_an_unknown_parent_is_policy_data if {
	d := gate.decision with input as object.union(base_input, {"lineage": {"generationsSinceLastPromoted": 1, "unknownAncestry": true, "capabilityHistory": []}})
		with data.governor.lineage.unknownAncestryEffect as "deny"
	d.outcome == "DENY"
	rules(d) == ["unknown_ancestry"]
}

test_unknown_ancestry_over_the_limit_is_still_denied if {
	d := gate.decision with input as object.union(base_input, {"lineage": {"generationsSinceLastPromoted": 6, "unknownAncestry": true, "capabilityHistory": []}})
	d.outcome == "DENY"
	rules(d) == ["unreviewed_lineage"]
}
