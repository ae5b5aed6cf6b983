package rsi.gate

# Pinned evaluator: an evaluation result counts only when it was produced by an
# evaluator whose digest is on the allow-list (data/evaluators.json). Anything
# else is a number the loop could have produced itself.

allowed_evaluator_digests := {e.digest | some e in data.governor.evaluators.allowed}

findings contains {
	"rule": "unpinned_evaluator",
	"message": concat("", [
		"evaluation ", evaluation_label(e), " has evaluatorDigest ", num(evaluator_digest(e)),
		", which is not on the evaluator allow-list",
	]),
	"effect": "deny",
} if {
	some e in input.proposal.evaluations
	not evaluator_digest(e) in allowed_evaluator_digests
}

evaluator_digest(e) := object.get(e, "evaluatorDigest", null) if is_object(e)

else := null

evaluation_label(e) := concat("/", [as_text(object.get(e, field, "?")) | some field in ["benchmark", "subset", "metric"]]) if {
	is_object(e)
} else := json.marshal(e)
