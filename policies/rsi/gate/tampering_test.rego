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

test_every_glob_contains_a_keyword_of_its_category_as_literal_text if {
	every _, spec in data.governor.protected_paths {
		every keyword in spec.keywords {
			keyword == lower(keyword)
			not regex.match(`[*?\[\]{}]`, keyword)
		}
		every g in spec.globs {
			some keyword in spec.keywords
			contains(lower(g), keyword)
		}
	}
}

test_path_without_a_keyword_skips_the_category if {
	not gate.mentions_keyword("/src/tools/edit.py", data.governor.protected_paths.logging.keywords)
	gate.mentions_keyword("/src/dialog.py", data.governor.protected_paths.logging.keywords)
}
