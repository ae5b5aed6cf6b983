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
# globs are compiled into data/protected_path_index.json by shape:
# "**/<dir>/**" (looked up per path segment), "**/<prefix>*", "**/*<infix>*"
# and "**/*<infix>*<then>*" (tested on the last segment). Tests check that the
# index is exactly the compiled form of the globs and agrees with glob.match.
protected_hits(candidate) := ((directory_hits | prefix_hits) | infix_hits) | pair_hits if {
	segments := split(candidate, "/")

	# Not segments[count(segments) - 1]: subtraction is slow in the wasm engine.
	name := array.reverse(segments)[0]
	directory_hits := {hit |
		some segment in segments
		some hit in protected_index.directories[segment]
		contains(candidate, concat("", ["/", segment, "/"]))
	}
	prefix_hits := {hit |
		some prefix, hits in protected_index.basename_prefixes
		startswith(name, prefix)
		some hit in hits
	}
	infix_hits := {hit |
		some infix, hits in protected_index.basename_infixes
		contains(name, infix)
		some hit in hits
	}
	pair_hits := {p.hit |
		some p in protected_index.basename_infix_pairs
		contains(name, p.infix)
		pieces := split(name, p.infix)

		# The text after the first occurrence of the infix.
		contains(concat(p.infix, array.slice(pieces, 1, count(pieces))), p.then)
	}
}

protected_index := data.governor.protected_path_index

# Paths are matched lower-cased, with a leading "/" so that "**/x/**" also
# matches a top-level "x/".
match_form(path) := concat("", ["/", lower(trim_prefix(trim_prefix(path, "./"), "/"))])
