package rsi.gate

# Pinned evaluator: an evaluation result counts only when it was produced by an
# evaluator whose digest is on the allow-list (data/evaluators.json). Anything
# else is a number the loop could have produced itself.

allowed_evaluator_digests := {e.digest | some e in data.governor.evaluators.allowed}

findings contains {
	"rule": "unpinned_evaluator",
	"message": concat("", [
		"evaluation ", evaluation_label(e), " has evaluatorDigest ", num(object.get(e, "evaluatorDigest", null)),
		", which is not on the evaluator allow-list",
	]),
	"effect": "deny",
} if {
	some e in input.proposal.evaluations
	not object.get(e, "evaluatorDigest", null) in allowed_evaluator_digests
}

evaluation_label(e) := concat("/", [
	object.get(e, "benchmark", "?"),
	object.get(e, "subset", "?"),
	object.get(e, "metric", "?"),
])
