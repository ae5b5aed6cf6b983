package rsi.gate

# Size and shape: large or sprawling changes cannot be reviewed by a person in
# one sitting, and unnormalised paths could slip past the protected globs.
limits := data.governor.limits

# The control plane reads the inline diff for the policy (input.artifact, see
# policies/README.md): its size in UTF-8 bytes and the files it names. The text
# itself is not in the input.
findings contains {
	"rule": "size_limit",
	"message": concat("", ["inlineDiff is ", num(input.artifact.inlineDiffBytes), " bytes, more than the limit of ", num(limits.maxDiffBytes)]),
	"effect": "deny",
} if {
	input.artifact.inlineDiffBytes > limits.maxDiffBytes
}

# A diff that names no file, or whose hunks do not add up, cannot be checked
# against the protected paths: what it changes is unknown.
findings contains {
	"rule": "shape",
	"message": as_text(input.artifact.diffProblem),
	"effect": "deny",
} if {
	input.artifact.diffProblem
}

findings contains {
	"rule": "size_limit",
	"message": concat("", [
		"touches ", num(count(input.proposal.touchedPaths)), " paths, more than the limit of ",
		num(limits.maxTouchedPaths),
	]),
	"effect": "deny",
} if {
	is_array(input.proposal.touchedPaths)
	count(input.proposal.touchedPaths) > limits.maxTouchedPaths
}

findings contains {
	"rule": "shape",
	"message": concat("", ["touched path ", num(path), " is not a normalised relative path"]),
	"effect": "deny",
} if {
	some path in input.proposal.touchedPaths
	not normalised_path(path)
}

# No empty, "." or ".." segment: with "/" around the path, such a segment shows
# as "//", "/./" or "/../" (cheaper in wasm than splitting into segments).
normalised_path(path) if {
	is_string(path)
	not contains(path, "\\")
	delimited := concat("", ["/", path, "/"])
	not contains(delimited, "//")
	not contains(delimited, "/./")
	not contains(delimited, "/../")
}

findings contains {
	"rule": "shape",
	"message": concat("", [
		"kind ", num(object.get(input, ["proposal", "kind"], null)), " is not one of ",
		concat(", ", limits.kinds),
	]),
	"effect": "deny",
} if {
	not object.get(input, ["proposal", "kind"], null) in limits.kinds
}
