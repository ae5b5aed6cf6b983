package rsi.gate_test

import data.rsi.gate

test_dgm_incident_removing_logging_is_denied if {
	d := gate.decision with input as input_with({"touchedPaths": ["coding_agent/utils/logging.py"]})
	d.outcome == "DENY"
	rules(d) == ["evaluator_tamper"]
	contains(d.violations[0].message, "Darwin Goedel Machine")
}

test_ai_scientist_incident_extending_time_limit_is_denied if {
	d := gate.decision with input as input_with({"touchedPaths": ["ai_scientist/config/experiment_timeout.yaml"]})
	rules(d) == ["evaluator_tamper"]
	contains(d.violations[0].message, "The AI Scientist")
}

test_every_protected_category_is_denied if {
	every path in [
		"evals/swe_bench/harness.py",
		"src/safety/hallucination_check.py",
		"services/logs/sink.py",
		"run/limits/cpu.yaml",
		"vendor/governor_client/guard.py",
		"pkg/governor/client.go",
	] {
		rules(gate.decision) == ["evaluator_tamper"] with input as input_with({"touchedPaths": [path]})
	}
}

test_protected_globs_match_top_level_and_any_case if {
	rules(gate.decision) == ["evaluator_tamper"] with input as input_with({"touchedPaths": ["eval/run.py"]})
	rules(gate.decision) == ["evaluator_tamper"] with input as input_with({"touchedPaths": ["src/Logging/Handler.py"]})
}

test_paths_that_only_resemble_protected_ones_are_allowed if {
	d := gate.decision with input as input_with({"touchedPaths": ["src/catalog/items.py", "src/evaluate_notes.md", "docs/dialog.md"]})
	d.outcome == "REVIEW"
	rules(d) == []
}

test_one_violation_per_path_and_category if {
	d := gate.decision with input as input_with({"touchedPaths": ["src/logging/logger.py"]})
	count(d.violations) == 1
	contains(d.violations[0].message, "(glob **/*logger*)")
}

# The index is exactly the compiled form of the globs in protected_paths.json:
# adding, changing or removing a glob without updating the index fails here.
test_index_is_the_compiled_form_of_the_globs if {
	index := gate.protected_index
	indexed := (({[{"directory": dir}, hit] |
		some dir, hits in index.directories
		some hit in hits
	} | {[{"prefix": prefix}, hit] |
		some prefix, hits in index.basename_prefixes
		some hit in hits
	}) | {[{"infixes": [infix]}, hit] |
		some infix, hits in index.basename_infixes
		some hit in hits
	}) | {[{"infixes": [p.infix, p.then]}, p.hit] |
		some p in index.basename_infix_pairs
	}
	compiled := {[compiled_glob(g), [category, g]] |
		some category, spec in data.governor.protected_paths
		some g in spec.globs
	}
	indexed == compiled
}

test_every_glob_has_a_supported_shape if {
	every _, spec in data.governor.protected_paths {
		every g in spec.globs {
			compiled_glob(g)
		}
	}
}

# "**/<dir>/**", "**/<prefix>*", "**/*<a>*" and "**/*<a>*<b>*" with literal parts.
compiled_glob(g) := {"directory": dir} if {
	startswith(lower(g), "**/")
	endswith(lower(g), "/**")
	dir := trim_suffix(trim_prefix(lower(g), "**/"), "/**")
	literal_part(dir)
}

compiled_glob(g) := {"prefix": parts[0]} if {
	parts := split(trim_prefix(lower(g), "**/"), "*")
	startswith(lower(g), "**/")
	count(parts) == 2
	literal_part(parts[0])
	parts[1] == ""
}

compiled_glob(g) := {"infixes": infixes} if {
	parts := split(trim_prefix(lower(g), "**/"), "*")
	startswith(lower(g), "**/")
	count(parts) in {3, 4}
	parts[0] == ""
	parts[count(parts) - 1] == ""
	infixes := array.slice(parts, 1, count(parts) - 1)
	every part in infixes {
		literal_part(part)
	}
}

literal_part(text) if {
	text != ""
	not regex.match(`[/*?\[\]{}\\]`, text)
}

# Paths chosen at the edges of every glob shape: directory vs file of the same
# name, top level, nested, prefix and infix positions, case, doubled separators.
probe_paths := [
	"eval", "eval/", "eval/run.py", "x/eval", "x/eval/", "x/evals/y.py", "x/my_eval/y.py", "x//eval//y",
	"Evaluation/a.py", "evaluator.py", "x/evaluator/y.py", "x/evaluators.txt", "x.evaluator/y",
	"eval_set.json", "x/eval_/y", "x/evalset.py", "x/my_eval.py", "x/my_eval", "x/my_eval./y",
	"x/grader", "x/Scorer_v2.py", "x/scoring/a", "x/scoring", "test_harness/a", "x/test_harness",
	"safety/a", "x/safety", "monitor/a", "x/monitors/a", "x/monitoring", "x/hallucination_check.py",
	"x/guardrails.py", "x/sandbox/a", "x/sandbox", "x/sandbox.py", "x/my_sandbox_v2.cfg", "x/sandbox.d/y",
	"x/sand.box", "x/.sandbox", "x/sandbox.", "x/a.sandbox", "x/a.sandbox.b", "x/sandboxsandbox",
	"logging/a", "x/logging.py", "x/log/a", "x/log", "x/logs", "x/catalog/a", "x/blog/a.py", "x/logger",
	"x/dialog.py", "telemetry/a", "x/tracing/a", "x/audit/a", "x/auditor.py",
	"x/timeout.py", "x/Time_Limit.yaml", "x/timelimits", "x/deadline", "x/limits/a", "x/limits",
	"x/budget.json", "x/quota", "governor", "governor/a", "x/governor", "x/governor_client/a",
	"x/governor-client/a", "x/.governor/a", "x/.governor", "x/governors.md",
	"src/tools/edit.py", "", "/", "//", "./eval/a", "/eval/a",
]

test_index_matches_exactly_what_glob_match_matches if {
	every path in probe_paths {
		candidate := gate.match_form(path)
		expected := {[category, g] |
			some category, spec in data.governor.protected_paths
			some g in spec.globs
			glob.match(lower(g), ["/"], candidate)
		}
		gate.protected_hits(candidate) == expected
	}
}

test_several_globs_of_a_category_report_the_first_in_order if {
	d := gate.decision with input as input_with({"touchedPaths": ["x/eval/evaluator_eval.py"]})
	count(d.violations) == 1
	contains(d.violations[0].message, "(glob **/*_eval.*)")
}

# The inline diff, as the control plane read it (input.artifact.diffPaths).
with_diff_paths(touched, diff_paths) := object.union(
	input_with({"touchedPaths": touched}),
	{"artifact": {"inlineDiffBytes": 100, "diffPaths": diff_paths}},
)

test_diff_changing_only_declared_paths_is_reviewed if {
	gate.decision.outcome == "REVIEW" with input as with_diff_paths(["src/tools/edit.py", "src/x.py"], ["src/tools/edit.py"])
}

test_diff_changing_an_undeclared_path_is_denied if {
	d := gate.decision with input as with_diff_paths(["src/tools/edit.py"], ["src/tools/edit.py", "src/tools/retry.py"])
	rules(d) == ["undeclared_path"]
	d.violations[0].message == "inlineDiff changes \"src/tools/retry.py\", which is not in touchedPaths"
}

test_protected_file_hidden_in_the_diff_is_denied_as_tampering if {
	d := gate.decision with input as with_diff_paths(["src/tools/edit.py"], ["src/tools/edit.py", "evals/swe_bench/harness.py"])
	rules(d) == ["evaluator_tamper", "undeclared_path"]
	d.haltLoop == false
	contains(d.violations[0].message, "path evals/swe_bench/harness.py")
}

test_declared_paths_are_compared_exactly if {
	rules(gate.decision) == ["undeclared_path"] with input as with_diff_paths(["Src/Tools/edit.py"], ["src/tools/edit.py"])
}

# A new or changed symbolic link, as the control plane read it from the diff
# (input.artifact.symlinks), declared honestly in touchedPaths.
with_symlink(path, target, resolved) := object.union(
	input_with({"touchedPaths": [path]}),
	{"artifact": {
		"inlineDiffBytes": 100, "diffPaths": [path],
		"symlinks": [{"path": path, "target": target, "resolved": resolved}],
	}},
)

test_symlink_into_the_evaluation_tree_is_tampering if {
	d := gate.decision with input as with_symlink("src/agent/helper.py", "../../evaluation/grader.py", "evaluation/grader.py")
	d.outcome == "DENY"
	rules(d) == ["evaluator_tamper"]
	startswith(d.violations[0].message, "symlink src/agent/helper.py -> ../../evaluation/grader.py points to protected evaluation path evaluation/grader.py (glob **/evaluation/**)")
}

test_symlink_to_a_protected_directory_is_tampering if {
	d := gate.decision with input as with_symlink("src/agent/ev", "../../evals", "evals")
	rules(d) == ["evaluator_tamper"]
	contains(d.violations[0].message, "(glob **/evals/**)")
}

test_symlink_to_a_protected_file_name_is_tampering if {
	rules(gate.decision) == ["evaluator_tamper"] with input as with_symlink("src/agent/t.yaml", "../conf/run_timeout.yaml", "src/conf/run_timeout.yaml")
}

test_symlink_to_an_ordinary_file_is_not_tampering if {
	d := gate.decision with input as with_symlink("src/agent/util.py", "../lib/util.py", "src/lib/util.py")
	d.outcome == "REVIEW"
	rules(d) == []
}

test_symlink_whose_name_resembles_a_protected_one_is_not_tampering if {
	rules(gate.decision) == [] with input as with_symlink("src/agent/x", "../evaluate_notes.md", "src/evaluate_notes.md")
}
