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

# Changed lines as the control plane passes them (PolicyInput, ChangedLineFacts).
with_lines(lines) := object.union(
	input_with({"touchedPaths": ["src/agent/run.py"]}),
	{"artifact": {"inlineDiffBytes": 100, "diffPaths": ["src/agent/run.py"], "changedLines": lines}},
)

changed(side, line, text, words, assigned) := {
	"file": "src/agent/run.py", "line": line, "side": side, "text": text,
	"words": words, "assigned": assigned,
}

test_a_removed_logging_call_is_a_signal_that_raises_the_tier if {
	d := gate.decision with input as with_lines([changed("-", 41, "logger.info(\"tool call %s\", call)", ["logger", "logger.info", "call"], [])])
	d.outcome == "REVIEW"
	d.tier == "elevated"
	d.signals == [{
		"rule": "logging_removed", "file": "src/agent/run.py", "line": 41,
		"message": "removes a logging or tracing call: logger.info(\"tool call %s\", call)",
	}]
}

test_a_commented_out_logging_call_is_a_signal if {
	d := gate.decision with input as with_lines([changed("+", 41, "# self.logger.debug(step)", ["self", "self.logger", "step"], [])])
	signal_rules(d) == ["logging_disabled"]
}

test_an_added_or_moved_logging_call_is_no_signal if {
	d := gate.decision with input as with_lines([
		changed("+", 12, "logger.info(step)", ["logger", "logger.info", "step"], []),
		changed("-", 40, "logger.info(step)", ["logger", "logger.info", "step"], []),
	])
	d.signals == []
	d.tier == "standard"
}

test_removing_a_comment_that_mentions_logging_is_no_signal if {
	signal_rules(gate.decision) == [] with input as with_lines([changed("-", 3, "# logger.info(x) was here", ["logger", "logger.info", "x"], [])])
}

test_calls_are_matched_only_in_files_of_their_language if {
	l := object.union(changed("-", 3, "logger.info(x)", ["logger", "logger.info", "x"], []), {"file": "docs/notes.md"})
	signal_rules(gate.decision) == [] with input as with_lines([l])
	no_extension := object.union(l, {"file": "bin/run"})
	signal_rules(gate.decision) == [] with input as with_lines([no_extension])
	upper_case := object.union(l, {"file": "src/Run.PY"})
	signal_rules(gate.decision) == ["logging_removed"] with input as with_lines([upper_case])
}

test_a_raised_time_limit_constant_is_a_signal if {
	d := gate.decision with input as with_lines([
		changed("-", 12, "TIMEOUT_SECONDS = 600", ["TIMEOUT_SECONDS"], ["timeout_seconds"]),
		changed("+", 12, "TIMEOUT_SECONDS = 7200", ["TIMEOUT_SECONDS"], ["timeout_seconds"]),
	])
	d.tier == "elevated"
	[[s.rule, s.line] | some s in d.signals] == [["limit_changed", 12], ["limit_changed", 12]]
}

test_limit_names_match_by_part_or_whole_name if {
	every name in ["max_retries", "time_budget", "rate_limit", "max_steps", "timeout"] {
		signal_rules(gate.decision) == ["limit_changed"] with input as with_lines([changed("+", 1, "x", [], [name])])
	}
	every name in ["start_time", "timestamp", "limitless", "max_step_size", "delimiter"] {
		signal_rules(gate.decision) == [] with input as with_lines([changed("+", 1, "x", [], [name])])
	}
}

test_a_limit_in_a_comment_is_no_signal if {
	signal_rules(gate.decision) == [] with input as with_lines([changed("+", 1, "# timeout = 5", [], ["timeout"])])
}

test_new_process_spawning_and_network_calls_are_signals if {
	d := gate.decision with input as with_lines([
		changed("+", 7, "subprocess.Popen([sys.executable, \"loop.py\"])", ["subprocess", "subprocess.Popen", "sys", "sys.executable"], []),
		changed("+", 8, "requests.post(url, data=blob)", ["requests", "requests.post", "url", "data", "blob"], ["data"]),
		changed("-", 9, "os.system(cmd)", ["os", "os.system", "cmd"], []),
	])
	[[s.rule, s.line] | some s in d.signals] == [["process_spawn", 7], ["network_call", 8]]
}

test_test_configuration_is_a_signal_at_its_first_changed_line if {
	d := gate.decision with input as object.union(
		input_with({"touchedPaths": ["tests/conftest.py", "src/tests.py"]}),
		{"artifact": {
			"diffPaths": ["tests/conftest.py", "src/tests.py"],
			"changedLines": [
				{"file": "tests/conftest.py", "line": 30, "side": "+", "text": "x", "words": [], "assigned": []},
				{"file": "tests/conftest.py", "line": 4, "side": "-", "text": "y", "words": [], "assigned": []},
			],
		}},
	)
	d.tier == "elevated"
	[[s.rule, s.file, s.line] | some s in d.signals] == [["test_config_changed", "tests/conftest.py", 4]]
}

test_declared_test_configuration_counts_without_an_inline_diff if {
	d := gate.decision with input as input_with({"touchedPaths": [".github/workflows/ci.yml", "pytest.ini", "src/pytest.py", 7]})
	[[s.rule, s.file, s.line] | some s in d.signals] == [
		["test_config_changed", ".github/workflows/ci.yml", 0],
		["test_config_changed", "pytest.ini", 0],
	]
}

test_omitted_changed_lines_are_a_signal if {
	d := gate.decision with input as object.union(base_input, {"artifact": {"changedLinesOmitted": 12}})
	d.signals == [{"rule": "changed_lines_omitted", "file": "", "line": 0, "message": "has more changed lines than the gate scans for signals: 12 lines"}]
	d.tier == "elevated"
}

test_signals_never_deny_and_do_not_lower_a_critical_tier if {
	d := gate.decision with input as object.union(
		with_lines([changed("-", 1, "logger.info(x)", ["logger"], [])]),
		{"proposal": object.union(base_proposal, {"touchedPaths": ["src/agent/run.py"], "capabilityEvals": [{"domain": "ai_rnd", "eval": "re-bench", "score": 0.99}]})},
	)
	d.tier == "critical"
	rules(d) == ["capability_critical"]
	signal_rules(d) == ["logging_removed"]
}

test_signal_line_numbers_sort_numerically if {
	d := gate.decision with input as with_lines([
		changed("+", 10, "timeout = 1", [], ["timeout"]),
		changed("+", 9, "timeout = 2", [], ["timeout"]),
	])
	[s.line | some s in d.signals] == [9, 10]
}
