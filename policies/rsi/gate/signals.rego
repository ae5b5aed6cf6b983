package rsi.gate

# Oversight signals: things in a change that a reviewer should look at twice.
# A signal names the file, the line and the rule; it raises the tier to the one
# data/signals.json gives its rule and never denies on its own.
signal_rules := data.governor.signals.rules

# Sorted by a string key, as violations are, so that both engines order them
# alike; the line number is prefixed with its length so that 9 sorts before 10.
signals := [signal_by_key[k] | some k in sort({k | some k, _ in signal_by_key})]

signal_by_key[k] := s if {
	some s in signals_found
	line := num(s.line)
	k := concat("", [s.file, "\n", num(count(line)), line, "\n", s.rule, "\n", s.message])
}

signal_tier := "critical" if {
	some s in signals_found
	signal_rules[s.rule].tier == "critical"
} else := "elevated" if {
	some s in signals_found
	signal_rules[s.rule].tier == "elevated"
}

signal(rule, file, line, detail) := {
	"rule": rule,
	"file": as_text(file),
	"line": line,
	"message": concat("", [signal_rules[rule].what, ": ", detail]),
}

# Symbolic links (input.artifact.symlinks): any new or changed link, and links
# whose target is the top of the tree, above it or absolute, which no protected
# glob can judge.
signals_found contains signal("symlink_created", link.path, 1, link_text(link)) if {
	some link in input.artifact.symlinks
}

signals_found contains signal("symlink_leaves_tree", link.path, 1, link_text(link)) if {
	some link in input.artifact.symlinks
	leaves_tree(link.resolved)
}

link_text(link) := concat("", [as_text(link.path), " -> ", as_text(link.target), " (resolves to ", as_text(link.resolved), ")"])

leaves_tree(resolved) if resolved in {".", ".."}

leaves_tree(resolved) if startswith(resolved, "../")

leaves_tree(resolved) if startswith(resolved, "/")
