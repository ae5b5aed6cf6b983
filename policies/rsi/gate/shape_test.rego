package rsi.gate_test

import data.rsi.gate

with_diff_facts(facts) := object.union(base_input, {"artifact": facts})

test_diff_at_byte_limit_is_reviewed if {
	gate.decision.outcome == "REVIEW" with input as with_diff_facts({"inlineDiffBytes": 262144, "diffPaths": []})
}

test_diff_over_byte_limit_is_denied if {
	d := gate.decision with input as with_diff_facts({"inlineDiffBytes": 262145, "diffPaths": []})
	rules(d) == ["size_limit"]
	d.violations[0].message == "inlineDiff is 262145 bytes, more than the limit of 262144"
}

test_diff_limit_comes_from_data if {
	rules(gate.decision) == ["size_limit"] with input as with_diff_facts({"inlineDiffBytes": 65})
		with data.governor.limits.maxDiffBytes as 64
}

test_artifact_without_inline_diff_has_no_size_finding if {
	not "size_limit" in rules(gate.decision) with input as without_diff(base_input)
}

test_unreadable_diff_is_denied_with_the_reason if {
	d := gate.decision with input as with_diff_facts({
		"inlineDiffBytes": 7,
		"diffPaths": [],
		"diffProblem": "inlineDiff cannot be read: it names no file (no diff --git, --- or +++ header)",
	})
	rules(d) == ["shape"]
	d.violations[0].message == "inlineDiff cannot be read: it names no file (no diff --git, --- or +++ header)"
}

paths(n) := [concat("", ["src/m", format_int(i, 10), ".py"]) | some i in numbers.range(1, n)]

test_touched_paths_at_limit_are_reviewed if {
	gate.decision.outcome == "REVIEW" with input as input_with({"touchedPaths": paths(50)})
}

test_touched_paths_over_limit_are_denied if {
	rules(gate.decision) == ["size_limit"] with input as input_with({"touchedPaths": paths(51)})
}

test_unnormalised_paths_are_denied if {
	every path in ["/etc/passwd", "src/../x.py", "./x.py", "src//x.py", "src\\x.py", ""] {
		"shape" in rules(gate.decision) with input as input_with({"touchedPaths": [path]})
	}
}

test_unknown_kind_is_denied if {
	rules(gate.decision) == ["shape"] with input as input_with({"kind": "weights"})
}

test_every_known_kind_is_accepted if {
	every kind in ["code_patch", "training_recipe", "checkpoint", "config", "architecture"] {
		gate.decision.outcome == "REVIEW" with input as input_with({"kind": kind, "capabilityEvals": every_domain_scored})
	}
}

test_dot_segments_anywhere_are_denied if {
	every path in [".", "..", "a/.", "a/..", "a/", "../a", "a/./b/c", "a/b/../../c"] {
		"shape" in rules(gate.decision) with input as input_with({"touchedPaths": [path]})
	}
}

test_names_with_dots_are_normalised if {
	rules(gate.decision) == [] with input as input_with({"touchedPaths": ["src/.gitignore", "a/..b/c.py", "a/b./c", "...", "a/.../b"]})
}
