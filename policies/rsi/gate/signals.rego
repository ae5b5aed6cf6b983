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

# Changed lines (input.artifact.changedLines, read by the control plane from the
# diff: file, line, side, trimmed text, words and assigned names). Which words
# and names matter is data/signals.json; the policy only looks them up, which is
# cheap in both engines (no regular expressions).
# Conditions are ordered cheapest and most selective first: most words are in no
# list, and each builtin call costs about a microsecond in the wasm engine.
signals_found contains signal(rule, line.file, line.line, as_text(line.text)) if {
	some line in input.artifact.changedLines
	some word in line.words
	language := file_languages[line.file]
	category := language.calls[word]
	rule := signal_data.call_signals[category][line_event(line, language)]
	not moved(line, category)
}

signals_found contains signal("limit_changed", line.file, line.line, as_text(line.text)) if {
	some line in input.artifact.changedLines
	some name in line.assigned
	limit_name(name)
	not is_comment(line, object.get(file_languages, line.file, {}))
}

# Test configuration decides what "passing" means: a loop that edits it can make
# its own tests pass. Checked on the files the inline diff changes, or on the
# declared ones when there is no inline diff.
signals_found contains signal("test_config_changed", path, first_changed_line(path), path) if {
	some path in changed_paths
	is_string(path)
	testing_config_path(path)
}

# Lines the control plane did not pass on (beyond its bound) were not scanned.
signals_found contains signal("changed_lines_omitted", "", 0, concat("", [num(input.artifact.changedLinesOmitted), " lines"])) if {
	input.artifact.changedLinesOmitted > 0
}

signal_data := data.governor.signals

# The language of each file with changed lines, by its extension (once per file).
file_languages[file] := signal_data.languages[extension(file)] if {
	some file in {line.file | some line in input.artifact.changedLines}
}

# The file name's last extension, lower case ("" when it has none).
extension(file) := lower(array.reverse(parts)[0]) if {
	parts := split(array.reverse(split(file, "/"))[0], ".")
	count(parts) > 1
} else := ""

# "added" and "commented_out" lines are new ("+"); "removed" lines are old code ("-").
line_event(line, language) := "commented_out" if {
	line.side == "+"
	is_comment(line, language)
} else := "added" if {
	line.side == "+"
} else := "removed" if {
	line.side == "-"
	not is_comment(line, language)
}

is_comment(line, language) if startswith(line.text, language.comment)

# A removed line added back unchanged in the same file (reindented, moved) is not removed.
moved(line, "logging") if {
	line.side == "-"
	concat("\n", [line.file, line.text]) in added_lines
}

added_lines contains concat("\n", [line.file, line.text]) if {
	some line in input.artifact.changedLines
	line.side == "+"
}

limit_name(name) if name in limit_names

limit_name(name) if {
	some part in split(name, "_")
	part in limit_name_parts
}

limit_names := {n | some n in signal_data.limits.names}

limit_name_parts := {n | some n in signal_data.limits.name_parts}

changed_paths := input.artifact.diffPaths if {
	is_array(input.artifact.diffPaths)
} else := input.proposal.touchedPaths

testing_config_path(path) if array.reverse(split(path, "/"))[0] in testing_config_basenames

testing_config_path(path) if {
	some directory in signal_data.test_config.directories
	contains(concat("", ["/", path]), directory)
}

testing_config_basenames := {n | some n in signal_data.test_config.basenames}

first_changed_line(path) := min([line.line | some line in input.artifact.changedLines; line.file == path]) if {
	some line in input.artifact.changedLines
	line.file == path
} else := 0
