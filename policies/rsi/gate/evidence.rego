package rsi.gate

# Missing evidence (data/evidence.json): a proposal that carries nothing the
# rules can judge must not read as a clean one. Per kind, the data names the
# evidence required and what its absence does: "deny", or raise the tier
# ("elevated_tier", "critical_tier"). An effect the policy does not know counts
# as "deny", so a slip in the data closes the gate rather than opening it.

evidence := data.governor.evidence

evidence_effects := {"deny", "elevated_tier", "critical_tier"}

evidence_effect(requirement) := requirement.effect if {
	requirement.effect in evidence_effects
} else := "deny"

required_evidence[item] := evidence_effect(requirement) if {
	some item, requirement in evidence.kinds[input.proposal.kind]
}

findings contains {
	"rule": "missing_evidence",
	"message": concat("", [input.proposal.kind, " proposal: ", message]),
	"effect": effect,
} if {
	some [item, message] in evidence_gaps
	effect := required_evidence[item]
}

# change: a fact named in satisfiedBy is present under input.artifact. Only
# Governor writes there (PolicyInput replaces whatever the loop sent), so a
# touched path or a summary, which are the loop's claims, never satisfies it.
evidence_gaps contains ["change", concat("", [
	"carries no change Governor read itself (input.artifact: ", concat(", ", evidence.items.change.satisfiedBy),
	"), so nothing was judged; touchedPaths and the summary are the loop's claims",
])] if {
	not change_read_by_governor
}

change_read_by_governor if {
	some fact in evidence.items.change.satisfiedBy
	not object.get(input, ["artifact", fact], false) in {false, null}
}

# capabilityEvals: a numeric score in every domain that has thresholds; a domain
# without one could never breach them.
evidence_gaps contains ["capabilityEvals", concat("", [
	"has no capability eval with a numeric score in ", concat(", ", missing),
	"; every tracked domain is required",
])] if {
	scored := {e.domain | some e in input.proposal.capabilityEvals; is_number(e.score)}
	missing := sort({d | some d, _ in data.governor.thresholds; not d in scored})
	count(missing) > 0
}

# evaluationBaselines: the regression rule needs a baseline to compare with.
evidence_gaps contains ["evaluationBaselines", concat("", [
	"evaluation ", evaluation_label(e), " has no numeric baseline, so a regression cannot be ruled out",
])] if {
	some e in input.proposal.evaluations
	not has_numeric_baseline(e)
}

has_numeric_baseline(e) if {
	is_object(e)
	is_number(e.baseline)
}

# A requirement the policy has no check for denies: data asking for evidence
# that nothing verifies must not pass silently.
evidence_gaps contains [item, concat("", ["requires evidence ", num(item), ", which this policy cannot check"])] if {
	some item, _ in required_evidence
	not item in {"change", "capabilityEvals", "evaluationBaselines"}
}
