package rsi.gate

# Evaluator and oversight tampering. Incidents this rule exists for:
# - Darwin Goedel Machine: a node removed the logging its hallucination check
#   relied on, so the check passed without checking anything.
# - The AI Scientist: edited its own code to extend its time limit.
# The globs and the reasons per category are in data/protected_paths.json.

findings contains {
	"rule": "evaluator_tamper",
	"message": concat("", [
		"touches protected ", category, " path ", path,
		" (glob ", glob_pattern, "): ", spec.why,
	]),
	"effect": "deny",
} if {
	some path in input.proposal.touchedPaths
	is_string(path)
	candidate := match_form(path)
	some category, spec in data.governor.protected_paths
	mentions_keyword(candidate, spec.keywords)
	glob_pattern := first_matching_glob(spec.globs, candidate)
}

# Every glob of a category contains one of its keywords as literal text (a test
# checks this), so a path without any keyword cannot match: the cheap substring
# test spares the glob matching, which dominates evaluation time in wasm.
mentions_keyword(candidate, keywords) if {
	some keyword in keywords
	contains(candidate, keyword)
}

first_matching_glob(globs, candidate) := sort([g |
	some g in globs
	glob.match(lower(g), ["/"], candidate)
])[0]

# Paths are matched lower-cased, with a leading "/" so that "**/x/**" also
# matches a top-level "x/".
match_form(path) := concat("", ["/", lower(trim_prefix(trim_prefix(path, "./"), "/"))])
