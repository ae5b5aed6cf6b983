package rsi.gate

# Size and shape: large or sprawling changes cannot be reviewed by a person in
# one sitting, and unnormalised paths could slip past the protected globs.
limits := data.governor.limits

# UTF-8 byte length without a builtin the wasm runtime lacks: a base64 encoding
# of n bytes has 4 * ceil(n / 3) characters, n / 3 rounded up, less padding.
utf8_bytes(s) := ((count(b) / 4) * 3) - padding if {
	b := base64.encode(s)
	padding := count(b) - count(trim_right(b, "="))
}

diff_bytes := utf8_bytes(input.proposal.artifact.inlineDiff) if is_string(input.proposal.artifact.inlineDiff)

findings contains {
	"rule": "size_limit",
	"message": concat("", ["inlineDiff is ", num(diff_bytes), " bytes, more than the limit of ", num(limits.maxDiffBytes)]),
	"effect": "deny",
} if {
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

normalised_path(path) if {
	is_string(path)
	path != ""
	not startswith(path, "/")
	not contains(path, "\\")
	every segment in split(path, "/") {
		not segment in {"", ".", ".."}
	}
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
