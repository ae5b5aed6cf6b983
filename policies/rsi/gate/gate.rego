# METADATA
# title: RSI promotion gate
# description: |
#   Decides what happens to one self-modification proposed by a recursive
#   self-improvement loop. The outcome is DENY or REVIEW, never ALLOW: a human
#   quorum (requiredApprovals) always signs off before anything is promoted.
#   Rule files in this package add findings; this file turns them into the
#   decision object the control plane stores (ARCHITECTURE.md section 4).
package rsi.gate

# Entry point: data.rsi.gate.decision (wasm entrypoint rsi/gate/decision).
decision := {
	"outcome": outcome,
	"tier": tier,
	"requiredApprovals": data.governor.tiers[tier].requiredApprovals,
	"violations": violations,
	"breaches": breaches,
	"haltLoop": halt_loop,
	"tampering": tampering,
	"evidence": governor_evidence,
	"signals": signals,
}

default tampering := false

tampering if tampering_attempt

# What Governor computed itself and gave the policy, as the decision used it.
governor_evidence := object.union(
	{
		"unknownAncestry": unknown_ancestry_flag,
		"tamperAttemptsInWindow": count(tamper_attempts_in_window),
	},
	{"generationsSinceLastPromoted": governor_generations | is_number(governor_generations)},
)

default unknown_ancestry_flag := false

unknown_ancestry_flag if unknown_ancestry

# A finding is {rule, message, effect}; effect "deny" makes the outcome DENY,
# effect "critical_tier" only raises the tier to critical (rate of improvement),
# effect "elevated_tier" only raises it to elevated (unknown ancestry or missing evidence, per data).
# Signals (signals.rego) raise the tier their rule has in data/signals.json.
default outcome := "REVIEW"

outcome := "DENY" if {
	some f in findings
	f.effect == "deny"
}

tier := "critical" if {
	some b in breaches
	b.level == "critical"
} else := "critical" if {
	some f in findings
	f.effect == "critical_tier"
} else := "critical" if {
	signal_tier == "critical"
} else := "elevated" if {
	some b in breaches
	b.level == "alert"
} else := "elevated" if {
	some f in findings
	f.effect == "elevated_tier"
} else := "elevated" if {
	signal_tier == "elevated"
} else := "standard"

default halt_loop := false

halt_loop if {
	some b in breaches
	b.level == "critical"
}

# Architecture section 5: the rate-of-improvement limit also trips the kill switch.
halt_loop if {
	some f in findings
	f.rule == "rate_of_improvement"
}

# data/tampering.json: the haltAfter-th tampering attempt within the window.
halt_loop if repeated_tampering

# Sorted by a string key so that the OPA server and the wasm engine order the
# array identically (both sort strings bytewise).
violations := [finding_by_key[k] | some k in sort({k | some k, _ in finding_by_key})]

finding_by_key[k] := {"rule": f.rule, "message": f.message} if {
	some f in (findings | repeated_tampering_findings)
	k := concat("\n", [f.rule, f.message])
}

breaches := [breach_by_domain[d] | some d in sort({d | some d, _ in breach_by_domain})]

# Numbers in messages: json.marshal is native in the wasm runtime and prints
# input numbers as written in both engines (sprintf is not native in wasm).
num(x) := json.marshal(x)

# Strings as they are, anything else as JSON. A builtin given the wrong type is an
# error for the OPA server but undefined in wasm; guarding types keeps the two
# engines answering alike even for input that skipped schema validation.
as_text(x) := x if is_string(x)

else := json.marshal(x)

# Differences are compared in millionths. The wasm engine computes with IEEE
# doubles (0.5 - 0.48 = 0.020000000000000018) while OPA's evaluator is exact;
# rounding to millionths makes both agree at the boundaries.
micro(x) := round(x * 1000000)
