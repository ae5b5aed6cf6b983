package rsi.gate_test

import data.rsi.gate

evaluation(digest) := {
	"benchmark": "swe-bench", "subset": "verified", "metric": "accuracy",
	"value": 0.52, "baseline": 0.5, "n": 500, "evaluatorDigest": digest,
}

test_evaluation_with_pinned_digest_is_accepted if {
	d := gate.decision with input as input_with({"evaluations": [
		evaluation(pinned_digest),
		evaluation("sha256:9f2e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e"),
	]})
	d.outcome == "REVIEW"
}

test_evaluation_with_unknown_digest_is_denied if {
	d := gate.decision with input as input_with({"evaluations": [evaluation(pinned_digest), evaluation("sha256:ffff")]})
	d.outcome == "DENY"
	rules(d) == ["unpinned_evaluator"]
	contains(d.violations[0].message, "\"sha256:ffff\"")
}

test_evaluation_without_digest_is_denied if {
	d := gate.decision with input as input_with({"evaluations": [object.remove(evaluation(pinned_digest), ["evaluatorDigest"])]})
	rules(d) == ["unpinned_evaluator"]
	contains(d.violations[0].message, "evaluatorDigest null")
}

test_digest_must_match_exactly if {
	shouting := upper(pinned_digest)
	rules(gate.decision) == ["unpinned_evaluator"] with input as input_with({"evaluations": [evaluation(shouting)]})
}
