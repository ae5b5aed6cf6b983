package rsi.gate

# Unreviewed lineage: a loop may build on unpromoted ancestors only so far before
# a human looks. Governor's own count (input.lineage.generationsSinceLastPromoted)
# is authoritative; the loop's lineage[] only counts when it claims more.
unreviewed_generations := max({
	object.get(input, ["lineage", "generationsSinceLastPromoted"], 0),
	count(ancestors_claimed_by_loop),
})

findings contains {
	"rule": "unreviewed_lineage",
	"message": concat("", [
		num(unreviewed_generations), " generations since the last promoted ancestor, more than the limit of ",
		num(data.governor.limits.maxUnreviewedGenerations),
	]),
	"effect": "deny",
} if {
	unreviewed_generations > data.governor.limits.maxUnreviewedGenerations
}

default ancestors_claimed_by_loop := []

ancestors_claimed_by_loop := input.proposal.lineage if is_array(input.proposal.lineage)
