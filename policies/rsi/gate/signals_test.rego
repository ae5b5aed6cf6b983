package rsi.gate_test

import data.rsi.gate

signal_rules(decision) := [s.rule | some s in decision.signals]

test_no_signal_keeps_the_standard_tier if {
	d := gate.decision with input as base_input
	d.signals == []
	d.tier == "standard"
}

test_a_symlink_is_a_signal_that_raises_the_tier if {
	d := gate.decision with input as with_symlink("src/agent/util.py", "../lib/util.py", "src/lib/util.py")
	d.outcome == "REVIEW"
	d.tier == "elevated"
	d.requiredApprovals == 2
	d.signals == [{
		"rule": "symlink_created", "file": "src/agent/util.py", "line": 1,
		"message": "creates or changes a symbolic link: src/agent/util.py -> ../lib/util.py (resolves to src/lib/util.py)",
	}]
}

test_the_tier_a_signal_raises_to_is_data if {
	d := gate.decision with input as with_symlink("src/agent/util.py", "../lib/util.py", "src/lib/util.py")
		with data.governor.signals.rules.symlink_created.tier as "standard"
	d.tier == "standard"
	signal_rules(d) == ["symlink_created"]
	d2 := gate.decision with input as with_symlink("src/agent/util.py", "../lib/util.py", "src/lib/util.py")
		with data.governor.signals.rules.symlink_created.tier as "critical"
	d2.tier == "critical"
	d2.outcome == "REVIEW"
}

test_a_symlink_leaving_the_tree_raises_the_tier_to_critical if {
	every resolved in ["..", "../outside/x", ".", "/etc/passwd"] {
		d := gate.decision with input as with_symlink("src/x", "t", resolved)
		d.tier == "critical"
		d.outcome == "REVIEW"
		signal_rules(d) == ["symlink_created", "symlink_leaves_tree"]
	}
}

test_a_symlink_just_inside_the_tree_does_not_leave_it if {
	every resolved in ["..x/y", "a/../b", "x"] {
		signal_rules(gate.decision) == ["symlink_created"] with input as with_symlink("src/x", "t", resolved)
	}
}

test_signals_are_sorted_by_file_then_line_number if {
	d := gate.decision with input as object.union(base_input, {"artifact": {"symlinks": [
		{"path": "b", "target": "x", "resolved": "x"},
		{"path": "a", "target": "x", "resolved": "x"},
	]}})
	[s.file | some s in d.signals] == ["a", "b"]
}
