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

test_protected_globs_use_only_star_and_question_wildcards if {
	every _, spec in data.governor.protected_paths {
		every g in spec.globs {
			not regex.match(`[\[\]{}]`, g)
			gate.glob_needle(lower(g)) != ""
		}
	}
}

test_glob_needle_is_the_longest_literal_piece if {
	gate.glob_needle("**/*logging*") == "logging"
	gate.glob_needle("**/eval/**") == "/eval/"
	gate.glob_needle("**/eval_*") == "/eval_"
}
