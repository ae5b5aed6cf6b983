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
		" (glob ", glob_pattern, "): ", data.governor.protected_paths[category].why,
	]),
	"effect": "deny",
} if {
	some path in input.proposal.touchedPaths
	is_string(path)
	hits := protected_hits(match_form(path))
	some [category, _] in hits
	glob_pattern := sort([g | some [category, g] in hits])[0]
}

# The [category, glob] pairs whose glob matches the candidate, found without
# glob.match: it dominated evaluation time in wasm (milliseconds per glob). The
# globs are compiled into data/protected_path_index.json, one of three shapes:
# "**/<dir>/**" (a directory segment, looked up), "**/<prefix>*" and
# "**/*<a>*[<b>*]" (tests on the last segment). Tests check that the index is
# exactly the compiled form of the globs and agrees with glob.match.
protected_hits(candidate) := (directory_hits | prefix_hits) | infix_hits if {
	segments := split(candidate, "/")
	name := segments[count(segments) - 1]
	directory_hits := {[m.category, m.glob] |
		some segment in segments
		some m in protected_index.directories[segment]
		contains(candidate, concat("", ["/", segment, "/"]))
	}
	prefix_hits := {[m.category, m.glob] |
		some m in protected_index.basename_prefixes
		startswith(name, m.prefix)
	}
	infix_hits := {[m.category, m.glob] |
		some m in protected_index.basename_infixes
		infixes_in_order(name, m.infixes)
	}
}

protected_index := data.governor.protected_path_index

infixes_in_order(name, [a]) := contains(name, a)

# The text after the first "a" contains "b".
infixes_in_order(name, [a, b]) := contains(concat(a, array.slice(pieces, 1, count(pieces))), b) if {
	pieces := split(name, a)
	count(pieces) > 1
}

# Paths are matched lower-cased, with a leading "/" so that "**/x/**" also
# matches a top-level "x/".
match_form(path) := concat("", ["/", lower(trim_prefix(trim_prefix(path, "./"), "/"))])
