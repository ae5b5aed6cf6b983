package rsi.gate

# Evaluator and oversight tampering. Incidents this rule exists for:
# - Darwin Goedel Machine: a node removed the logging its hallucination check
#   relied on, so the check passed without checking anything.
# - The AI Scientist: edited its own code to extend its time limit.
# The globs and the reasons per category are in data/protected_paths.json.

# Every path the loop declares, and every file its inline diff changes that it
# does not declare (input.artifact.diffPaths, read by the control plane from
# the diff's headers). Declared files the diff changes are checked once.
findings contains f if {
	some path in input.proposal.touchedPaths
	is_string(path)
	some f in tamper_findings(path)
}

findings contains f if {
	some path in undeclared_paths
	some f in tamper_findings(path)
}

tamper_findings(path) := {{
	"rule": "evaluator_tamper",
	"message": concat("", [
		"touches protected ", category, " path ", path,
		" (glob ", glob_pattern, "): ", data.governor.protected_paths[category].why,
	]),
	"effect": "deny",
} |
	hits := protected_hits(match_form(path))
	some [category, _] in hits
	glob_pattern := sort([g | some [category, g] in hits])[0]
}

# touchedPaths is written by the loop; a diff that changes a file it does not
# declare is a change the loop did not own up to.
undeclared_paths contains path if {
	some path in input.artifact.diffPaths
	is_string(path)
	not path in declared_paths
}

declared_paths := {path | some path in input.proposal.touchedPaths}

findings contains {
	"rule": "undeclared_path",
	"message": concat("", ["inlineDiff changes ", num(path), ", which is not in touchedPaths"]),
	"effect": "deny",
} if {
	some path in undeclared_paths
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

# A symbolic link is judged by where it points (input.artifact.symlinks: the
# control plane resolves each new or changed link's target against the link's
# own directory). Writing through a link into the evaluation tree is writing the
# evaluation tree, so the target is checked as a file and as a directory.
findings contains f if {
	some link in input.artifact.symlinks
	is_string(link.resolved)
	hits := protected_hits(match_form(link.resolved)) | protected_hits(match_form(concat("", [link.resolved, "/"])))
	some [category, _] in hits
	glob_pattern := sort([g | some [category, g] in hits])[0]
	f := {
		"rule": "evaluator_tamper",
		"message": concat("", [
			"symlink ", as_text(link.path), " -> ", as_text(link.target), " points to protected ", category,
			" path ", link.resolved, " (glob ", glob_pattern, "): ", data.governor.protected_paths[category].why,
		]),
		"effect": "deny",
	}
}
