package rsi.gate

# Repeated tampering halts the loop. input.loop.recentTamperAttempts lists this
# loop's earlier proposals that Governor denied for tampering (rules named in
# data/tampering.json), each with its age; the policy counts those within the
# window, so the window and the count stay policy data.
tampering_attempt if {
	some f in findings
	f.rule in data.governor.tampering.rules
}

default tamper_attempts_in_window := []

tamper_attempts_in_window := [a |
	some a in input.loop.recentTamperAttempts
	is_number(a.ageSeconds)
	a.ageSeconds >= 0
	a.ageSeconds <= data.governor.tampering.windowSeconds
] if is_array(input.loop.recentTamperAttempts)

repeated_tampering if {
	tampering_attempt
	count(tamper_attempts_in_window) + 1 >= data.governor.tampering.haltAfter
}

# Not part of `findings`: it is read from them. It adds no new outcome (the
# proposal is already denied) but names the earlier attempts and halts the loop.
repeated_tampering_findings contains {
	"rule": "repeated_tampering",
	"message": concat("", [
		num(count(tamper_attempts_in_window) + 1), " tampering attempts by loop ",
		as_text(object.get(input, ["loop", "loopId"], null)), " within ", num(data.governor.tampering.windowSeconds),
		" s (the limit is ", num(data.governor.tampering.haltAfter), "): this proposal and ",
		concat(", ", sort([as_text(a.proposalId) | some a in tamper_attempts_in_window])),
	]),
} if {
	repeated_tampering
}
