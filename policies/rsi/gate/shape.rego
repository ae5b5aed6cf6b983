package rsi.gate

# Size and shape: large or sprawling changes cannot be reviewed by a person in
# one sitting, and unnormalised paths could slip past the protected globs.
limits := data.governor.limits

# UTF-8 byte length without a builtin the wasm runtime lacks: a base64 encoding
# of n bytes has 4 * ceil(n / 3) characters, n / 3 rounded up, less padding.
utf8_bytes(s) := ((count(b) / 4) * 3) - base64_padding(b) if {
	b := base64.encode(s)
}

# Not count(b) - count(trim_right(b, "=")): that copies the whole encoding.
base64_padding(b) := 2 if endswith(b, "==")

else := 1 if endswith(b, "=")

else := 0

diff_bytes := utf8_bytes(input.proposal.artifact.inlineDiff) if is_string(input.proposal.artifact.inlineDiff)

findings contains {
	"rule": "size_limit",
	"message": concat("", ["inlineDiff is ", num(diff_bytes), " bytes, more than the limit of ", num(limits.maxDiffBytes)]),
	"effect": "deny",
} if {
	# A UTF-8 character takes at most 4 bytes, so a diff of at most a quarter of
	# the limit in characters is within it: the usual diff skips the byte count,
	# whose base64 pass and arithmetic are slow in the wasm engine.
	is_string(input.proposal.artifact.inlineDiff)
	count(input.proposal.artifact.inlineDiff) * 4 > limits.maxDiffBytes
	diff_bytes > limits.maxDiffBytes
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
