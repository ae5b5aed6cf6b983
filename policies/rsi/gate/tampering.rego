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
	some category, spec in data.governor.protected_paths
	glob_pattern := first_matching_glob(spec.globs, path)
}

first_matching_glob(globs, path) := sort([g |
	candidate := match_form(path)
	some g in globs
	pattern := lower(g)
	contains(candidate, glob_needle(pattern))
	glob.match(pattern, ["/"], candidate)
])[0]

# The longest literal piece of a glob: any path the glob matches contains it.
# Checking it first skips nearly every glob.match call, which dominates the
# evaluation time in the wasm engine. Valid because the globs use only "*",
# "**" and "?" as wildcards (gate_test checks that they have no [] or {}).
glob_needle(pattern) := needle if {
	pieces := [piece | some part in split(pattern, "*"); some piece in split(part, "?")]
	longest := max({count(piece) | some piece in pieces})
	needle := [piece | some piece in pieces; count(piece) == longest][0]
}

# Paths are matched lower-cased, with a leading "/" so that "**/x/**" also
# matches a top-level "x/".
match_form(path) := concat("", ["/", lower(trim_prefix(trim_prefix(path, "./"), "/"))])
