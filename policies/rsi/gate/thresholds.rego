package rsi.gate

# Capability thresholds (data/thresholds.json): per domain an early-warning
# "alert" level, which raises the tier and the approvals needed, and a
# "critical" level, which denies the proposal and halts the loop. A score equal
# to a level reaches it. Each level names the framework text it follows.

# The highest score the proposal reports per domain.
capability_score[domain] := max({e.score |
	some e in input.proposal.capabilityEvals
	e.domain == domain
	is_number(e.score)
}) if {
	some e0 in input.proposal.capabilityEvals
	domain := e0.domain
	data.governor.thresholds[domain]
}

breach_level(domain, score) := "critical" if {
	score >= data.governor.thresholds[domain].critical
} else := "alert" if {
	score >= data.governor.thresholds[domain].alert
}

breach_by_domain[domain] := {
	"domain": domain,
	"level": level,
	"score": score,
	"threshold": data.governor.thresholds[domain][level],
	"framework": data.governor.thresholds[domain].frameworks[level],
} if {
	some domain, score in capability_score
	level := breach_level(domain, score)
}

findings contains {
	"rule": "capability_critical",
	"message": concat("", [
		domain, " score ", num(b.score), " reaches the critical threshold ", num(b.threshold),
		" (", b.framework, "): denied and the loop is halted",
	]),
	"effect": "deny",
} if {
	some domain, b in breach_by_domain
	b.level == "critical"
}

findings contains {
	"rule": "unknown_capability_domain",
	"message": concat("", [
		"capability eval ", num(e.eval), " has domain ", num(e.domain),
		", which has no threshold; known domains: ", concat(", ", sort(object.keys(data.governor.thresholds))),
	]),
	"effect": "deny",
} if {
	some e in input.proposal.capabilityEvals
	not data.governor.thresholds[e.domain]
}

findings contains {
	"rule": "invalid_capability_score",
	"message": concat("", ["capability eval ", num(e.eval), " in domain ", num(e.domain), " has a non-numeric score"]),
	"effect": "deny",
} if {
	some e in input.proposal.capabilityEvals
	not is_number(e.score)
}

# Rate of improvement. input.lineage.capabilityHistory holds earlier scores of
# this loop as {domain, score, time, ageSeconds}; the control plane computes
# ageSeconds from its clock so that the policy itself needs none. The gain is the
# proposal's score minus the lowest score recorded within the window.
rate_window_seconds := data.governor.limits.rate.windowSeconds

rate_baseline[domain] := min(scores) if {
	some domain, _ in capability_score
	scores := {h.score |
		some h in input.lineage.capabilityHistory
		h.domain == domain
		is_number(h.score)
		h.ageSeconds >= 0
		h.ageSeconds <= rate_window_seconds
	}
	count(scores) > 0
}

findings contains {
	"rule": "rate_of_improvement",
	"message": concat("", [
		domain, " rose from ", num(baseline), " to ", num(score),
		" within ", num(rate_window_seconds), " s, more than the limit of ", num(limit),
		": tier raised to critical and the loop halted",
	]),
	"effect": "critical_tier",
} if {
	some domain, baseline in rate_baseline
	score := capability_score[domain]
	limit := data.governor.limits.rate.maxGain[domain]
	micro(score - baseline) > micro(limit)
}
