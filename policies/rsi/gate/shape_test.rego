package rsi.gate_test

import data.rsi.gate

ascii(n) := concat("", [x | some _ in numbers.range(1, n); x := "a"])

with_diff(diff) := input_with({"artifact": {"sha256": "ab", "uri": "s3://x", "inlineDiff": diff}})

test_diff_at_byte_limit_is_reviewed if {
	gate.decision.outcome == "REVIEW" with input as with_diff(ascii(64))
		with data.governor.limits.maxDiffBytes as 64
}

test_diff_over_byte_limit_is_denied if {
	d := gate.decision with input as with_diff(ascii(65)) with data.governor.limits.maxDiffBytes as 64
	rules(d) == ["size_limit"]
}

test_diff_size_counts_utf8_bytes_not_characters if {
	# 33 characters, 66 bytes.
	diff := concat("", [x | some _ in numbers.range(1, 33); x := "é"])
	d := gate.decision with input as with_diff(diff) with data.governor.limits.maxDiffBytes as 64
	contains(d.violations[0].message, "is 66 bytes")
}

test_artifact_without_inline_diff_has_no_size_finding if {
	gate.decision.outcome == "REVIEW" with input as input_with({"artifact": {"sha256": "ab", "uri": "s3://x"}})
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
		gate.decision.outcome == "REVIEW" with input as input_with({"kind": kind})
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
