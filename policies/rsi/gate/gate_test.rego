package rsi.gate_test

import data.rsi.gate

# A proposal that passes every rule: REVIEW at the standard tier.
pinned_digest := "sha256:4b1c6f0e3d2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"

base_proposal := {
	"proposalId": "p-1",
	"loopId": "dgm-swe-7",
	"sourceSystem": "dgm",
	"runId": "run-1",
	"parentId": "p-0",
	"generation": 3,
	"lineage": [{"id": "p-0", "sha256": "00"}],
	"kind": "code_patch",
	"summary": "Better retry logic in the file editing tool.",
	"artifact": {"sha256": "ab", "uri": "s3://loops/dgm/p-1.diff"},
	"touchedPaths": ["src/tools/edit.py"],
	"evaluations": [{
		"benchmark": "swe-bench", "subset": "verified", "metric": "accuracy",
		"value": 0.52, "baseline": 0.5, "n": 500, "evaluatorDigest": pinned_digest,
	}],
	"capabilityEvals": [{"domain": "ai_rnd", "eval": "re-bench", "score": 0.2}],
	"costs": {},
	"metadata": {},
}

base_input := {
	"proposal": base_proposal,
	"lineage": {"generationsSinceLastPromoted": 1, "capabilityHistory": []},
	"loop": {"loopId": "dgm-swe-7", "sourceSystem": "dgm"},
	"killSwitch": {"state": "RUNNING", "epoch": 4},
	# What the control plane read from the inline diff (PolicyInput): its size
	# only, so that the change counts as read (evidence.rego) while the other
	# rules are tested on touchedPaths alone.
	"artifact": {"inlineDiffBytes": 212},
}

input_with(proposal_patch) := object.union(base_input, {"proposal": object.union(base_proposal, proposal_patch)})

rules(decision) := [v.rule | some v in decision.violations]

test_clean_proposal_goes_to_review_at_standard_tier if {
	gate.decision == {
		"outcome": "REVIEW",
		"tier": "standard",
		"requiredApprovals": 1,
		"violations": [],
		"breaches": [],
		"haltLoop": false,
		"tampering": false,
		"evidence": {"generationsSinceLastPromoted": 1, "unknownAncestry": false, "tamperAttemptsInWindow": 0},
		"signals": [],
	} with input as base_input
}

test_outcome_is_never_allow if {
	gate.decision.outcome in {"DENY", "REVIEW"} with input as base_input
	gate.decision.outcome in {"DENY", "REVIEW"} with input as {}
}

test_required_approvals_follow_the_tier_table_in_data if {
	gate.decision.requiredApprovals == 7 with input as base_input
		with data.governor.tiers.standard.requiredApprovals as 7
}

test_violations_are_sorted_by_rule_then_message if {
	d := gate.decision with input as input_with({
		"kind": "weights",
		"touchedPaths": ["src/logging/a.py", "evals/b.py"],
	})
	rules(d) == ["evaluator_tamper", "evaluator_tamper", "shape"]
	d.violations[0].message < d.violations[1].message
}

test_kill_switch_paused_denies if {
	d := gate.decision with input as object.union(base_input, {"killSwitch": {"state": "PAUSED", "epoch": 5}})
	d.outcome == "DENY"
	rules(d) == ["kill_switch"]
	d.haltLoop == false
}

test_kill_switch_tripped_denies if {
	d := gate.decision with input as object.union(base_input, {"killSwitch": {"state": "TRIPPED", "epoch": 6}})
	rules(d) == ["kill_switch"]
}

test_missing_kill_switch_state_denies if {
	d := gate.decision with input as object.remove(base_input, ["killSwitch"])
	rules(d) == ["kill_switch"]
}

# Input that skipped schema validation: wrong types give findings, never a
# builtin type error (an error in the OPA server, undefined in wasm).
test_malformed_types_are_findings_not_errors if {
	d := gate.decision with input as object.union(base_input, {
		"proposal": {
			"kind": 7, "lineage": 3, "touchedPaths": [5],
			"artifact": {},
			"evaluations": ["junk", {"benchmark": 1, "metric": ["m"], "value": "high", "baseline": 0.5}],
			"capabilityEvals": [{"domain": ["ai_rnd"], "eval": 3, "score": 0.9}],
		},
		"lineage": {"generationsSinceLastPromoted": "many"},
		"artifact": {"diffProblem": "inlineDiff is number, not a string"},
	})
	d.outcome == "DENY"
	rules(d) == ["shape", "shape", "shape", "unknown_capability_domain", "unpinned_evaluator", "unpinned_evaluator", "unreviewed_lineage"]
	d.violations[0].message == "inlineDiff is number, not a string"
	d.violations[4].message == "evaluation \"junk\" has evaluatorDigest null, which is not on the evaluator allow-list"
	d.violations[5].message == "evaluation 1/?/[\"m\"] has evaluatorDigest null, which is not on the evaluator allow-list"
}
