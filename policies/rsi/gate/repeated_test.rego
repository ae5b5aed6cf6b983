package rsi.gate_test

import data.rsi.gate

tampering_input(attempts) := object.union(input_with({"touchedPaths": ["evaluation/harness.py"]}), {"loop": {
	"loopId": "dgm-swe-7", "sourceSystem": "dgm", "recentTamperAttempts": attempts,
}})

attempt(id, age) := {"proposalId": id, "ageSeconds": age}

test_a_first_tampering_attempt_is_denied_without_halting if {
	d := gate.decision with input as tampering_input([])
	d.outcome == "DENY"
	d.tampering == true
	d.haltLoop == false
	rules(d) == ["evaluator_tamper"]
}

test_the_third_attempt_within_the_window_halts_and_names_the_earlier_ones if {
	d := gate.decision with input as tampering_input([attempt("p-b", 60), attempt("p-a", 1200)])
	d.outcome == "DENY"
	d.haltLoop == true
	rules(d) == ["evaluator_tamper", "repeated_tampering"]
	some v in d.violations
	v.rule == "repeated_tampering"
	contains(v.message, "3 tampering attempts by loop dgm-swe-7")
	endswith(v.message, "this proposal and p-a, p-b")
	d.evidence.tamperAttemptsInWindow == 2
}

test_an_attempt_exactly_at_the_window_edge_counts if {
	d := gate.decision with input as tampering_input([attempt("p-b", 3600), attempt("p-a", 10)])
	d.haltLoop == true
}

test_attempts_older_than_the_window_do_not_count if {
	d := gate.decision with input as tampering_input([attempt("p-b", 3601), attempt("p-a", 10)])
	d.haltLoop == false
	d.evidence.tamperAttemptsInWindow == 1
}

test_earlier_attempts_do_not_halt_a_proposal_that_does_not_tamper if {
	clean := object.union(base_input, {"loop": {"loopId": "dgm-swe-7", "recentTamperAttempts": [attempt("p-a", 1), attempt("p-b", 2)]}})
	d := gate.decision with input as clean
	d.outcome == "REVIEW"
	d.haltLoop == false
	d.tampering == false
}

test_how_many_attempts_halt_is_policy_data if {
	d := gate.decision with input as tampering_input([]) with data.governor.tampering.haltAfter as 1
	d.haltLoop == true
	rules(d) == ["evaluator_tamper", "repeated_tampering"]
}
