package rsi.gate_test

import data.rsi.gate

with_generations(n) := object.union(base_input, {"lineage": {"generationsSinceLastPromoted": n, "capabilityHistory": []}})

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
	rules(d) == ["unreviewed_lineage"]
}

test_missing_lineage_counts_as_zero if {
	d := gate.decision with input as object.remove(input_with({"lineage": []}), ["lineage"])
	d.outcome == "REVIEW"
}
