package rsi.gate_test

import data.rsi.gate

every_domain_scored := [{"domain": d, "eval": "suite", "score": 0.1} | some d in ["ai_rnd", "autonomy", "cbrn", "cyber", "persuasion"]]

without_diff(given) := object.union(object.remove(given, ["artifact"]), {"artifact": {}})

evidence_messages(decision) := [v.message | some v in decision.violations; v.rule == "missing_evidence"]

test_code_patch_with_a_read_diff_has_its_evidence if {
	gate.decision.violations == [] with input as base_input
}

test_code_patch_without_a_read_change_is_denied_naming_what_is_missing if {
	d := gate.decision with input as without_diff(base_input)
	d.outcome == "DENY"
	rules(d) == ["missing_evidence"]
	evidence_messages(d) == ["code_patch proposal: carries no change Governor read itself (input.artifact: inlineDiffBytes), so nothing was judged; touchedPaths and the summary are the loop's claims"]
}

# The bypass of the issue: an artifact hash and URI, nothing else to judge.
test_code_patch_with_nothing_to_judge_is_not_clean if {
	nothing := object.remove(base_proposal, ["touchedPaths", "capabilityEvals", "evaluations"])
	d := gate.decision with input as object.union(without_diff(base_input), {"proposal": nothing})
	d.outcome == "DENY"
	rules(d) == ["missing_evidence"]
}

test_config_needs_its_change_too if {
	rules(gate.decision) == ["missing_evidence"] with input as without_diff(input_with({"kind": "config"}))
}

# Only input.artifact counts: PolicyInput fills it from what Governor read.
# The same fields claimed inside the proposal are the loop's word.
test_a_claim_in_the_proposal_does_not_count_as_read if {
	claimed := input_with({"artifact": {"sha256": "ab", "inlineDiffBytes": 212, "readable": true}})
	rules(gate.decision) == ["missing_evidence"] with input as without_diff(claimed)
}

test_an_empty_diff_counts_as_read_and_is_left_to_shape if {
	not "missing_evidence" in rules(gate.decision) with input as object.union(base_input, {"artifact": {"inlineDiffBytes": 0}})
}

# A future fact for a fetched, readable artifact is added to the data, not the rule.
test_a_fact_added_to_satisfied_by_satisfies_the_change if {
	fetched := object.union(without_diff(base_input), {"artifact": {"readable": true}})
	rules(gate.decision) == [] with input as fetched
		with data.governor.evidence.items.change.satisfiedBy as ["inlineDiffBytes", "readable"]
	rules(gate.decision) == ["missing_evidence"] with input as fetched
	rules(gate.decision) == ["missing_evidence"] with input as object.union(without_diff(base_input), {"artifact": {"readable": false}})
		with data.governor.evidence.items.change.satisfiedBy as ["inlineDiffBytes", "readable"]
}

test_checkpoint_with_every_tracked_domain_is_reviewed if {
	d := gate.decision with input as without_diff(input_with({"kind": "checkpoint", "capabilityEvals": every_domain_scored}))
	d.outcome == "REVIEW"
	d.violations == []
}

test_checkpoint_missing_domains_is_denied_naming_them if {
	d := gate.decision with input as input_with({"kind": "checkpoint"})
	d.outcome == "DENY"
	evidence_messages(d) == ["checkpoint proposal: has no capability eval with a numeric score in autonomy, cbrn, cyber, persuasion; every tracked domain is required"]
}

test_one_domain_short_is_denied if {
	four := [e | some e in every_domain_scored; e.domain != "cbrn"]
	evidence_messages(gate.decision) == ["architecture proposal: has no capability eval with a numeric score in cbrn; every tracked domain is required"] with input as input_with({"kind": "architecture", "capabilityEvals": four})
}

test_a_non_numeric_score_does_not_cover_its_domain if {
	evals := array.concat([e | some e in every_domain_scored; e.domain != "cyber"], [{"domain": "cyber", "eval": "c", "score": "high"}])
	d := gate.decision with input as input_with({"kind": "training_recipe", "capabilityEvals": evals})
	rules(d) == ["invalid_capability_score", "missing_evidence"]
}

test_tracked_domains_come_from_the_thresholds if {
	evidence_messages(gate.decision) == ["checkpoint proposal: has no capability eval with a numeric score in bio; every tracked domain is required"] with input as input_with({"kind": "checkpoint", "capabilityEvals": every_domain_scored})
		with data.governor.thresholds.bio as {"alert": 0.5, "critical": 0.8, "frameworks": {"alert": "a", "critical": "c"}}
}

test_code_patch_needs_no_capability_evals if {
	rules(gate.decision) == [] with input as input_with({"capabilityEvals": []})
}

test_training_recipe_without_its_text_raises_the_tier_without_denying if {
	d := gate.decision with input as without_diff(input_with({"kind": "training_recipe", "capabilityEvals": every_domain_scored}))
	d.outcome == "REVIEW"
	d.tier == "elevated"
	d.requiredApprovals == 2
	d.haltLoop == false
	rules(d) == ["missing_evidence"]
}

test_a_raised_tier_never_lowers_a_higher_one if {
	evals := [{"domain": e.domain, "eval": e.eval, "score": s} |
		some e in every_domain_scored
		s := {true: 0.85, false: 0.1}[e.domain == "ai_rnd"]
	]
	d := gate.decision with input as without_diff(input_with({"kind": "architecture", "capabilityEvals": evals}))
	d.tier == "critical"
	rules(d) == ["capability_critical", "missing_evidence"]
}

test_the_data_decides_deny_or_tier if {
	gate.decision.tier == "critical" with input as without_diff(base_input)
		with data.governor.evidence.kinds.code_patch.change.effect as "critical_tier"
	gate.decision.outcome == "REVIEW" with input as without_diff(base_input)
		with data.governor.evidence.kinds.code_patch.change.effect as "critical_tier"
	gate.decision.haltLoop == false with input as without_diff(base_input)
		with data.governor.evidence.kinds.code_patch.change.effect as "critical_tier"
	gate.decision.outcome == "DENY" with input as without_diff(input_with({"kind": "training_recipe", "capabilityEvals": every_domain_scored}))
		with data.governor.evidence.kinds.training_recipe.change.effect as "deny"
}

test_an_unknown_effect_in_the_data_denies if {
	gate.decision.outcome == "DENY" with input as without_diff(base_input)
		with data.governor.evidence.kinds.code_patch.change.effect as "review"
	gate.decision.outcome == "DENY" with input as without_diff(base_input)
		with data.governor.evidence.kinds.code_patch.change as "elevated_tier"
}

test_a_requirement_the_policy_cannot_check_denies if {
	d := gate.decision with input as base_input
		with data.governor.evidence.kinds.code_patch.signedDiff as {"effect": "elevated_tier"}
	d.tier == "elevated"
	evidence_messages(d) == ["code_patch proposal: requires evidence \"signedDiff\", which this policy cannot check"]
}

test_a_kind_without_requirements_needs_nothing if {
	rules(gate.decision) == [] with input as without_diff(input_with({"kind": "dataset"}))
		with data.governor.limits.kinds as ["code_patch", "dataset"]
}

test_unknown_or_malformed_kind_has_no_evidence_finding if {
	rules(gate.decision) == ["shape"] with input as without_diff(input_with({"kind": "weights"}))
	rules(gate.decision) == ["shape"] with input as without_diff(input_with({"kind": ["code_patch"]}))
}

test_evaluation_without_baseline_is_denied if {
	d := gate.decision with input as input_with({"evaluations": [{
		"benchmark": "swe-bench", "subset": "verified", "metric": "accuracy",
		"value": 0.52, "n": 500, "evaluatorDigest": pinned_digest,
	}]})
	d.outcome == "DENY"
	evidence_messages(d) == ["code_patch proposal: evaluation swe-bench/verified/accuracy has no numeric baseline, so a regression cannot be ruled out"]
}

test_a_null_or_non_numeric_baseline_is_missing if {
	every baseline in [null, "0.5", {}] {
		rules(gate.decision) == ["missing_evidence"] with input as scored("accuracy", 0.52, baseline)
	}
}

test_a_zero_baseline_is_a_baseline if {
	rules(gate.decision) == [] with input as scored("accuracy", 0.52, 0)
}

test_each_evaluation_without_baseline_is_named if {
	evals := [
		{"benchmark": "a", "metric": "accuracy", "value": 0.5, "evaluatorDigest": pinned_digest},
		{"benchmark": "b", "metric": "accuracy", "value": 0.5, "baseline": 0.5, "evaluatorDigest": pinned_digest},
		{"benchmark": "c", "metric": "accuracy", "value": 0.5, "evaluatorDigest": pinned_digest},
	]
	evidence_messages(gate.decision) == [
		"code_patch proposal: evaluation a/?/accuracy has no numeric baseline, so a regression cannot be ruled out",
		"code_patch proposal: evaluation c/?/accuracy has no numeric baseline, so a regression cannot be ruled out",
	] with input as input_with({"evaluations": evals})
}

test_no_evaluations_need_no_baseline if {
	rules(gate.decision) == [] with input as input_with({"evaluations": []})
}

# The data is complete: every kind the shape rule accepts has an entry, and
# every requirement names an item that is described and that a rule checks.
test_every_kind_has_requirements_and_every_item_is_known if {
	every kind in data.governor.limits.kinds {
		is_object(data.governor.evidence.kinds[kind])
	}
	every _, requirements in data.governor.evidence.kinds {
		every item, requirement in requirements {
			data.governor.evidence.items[item].what
			requirement.effect in gate.evidence_effects
			item in {"change", "capabilityEvals", "evaluationBaselines"}
		}
	}
}
