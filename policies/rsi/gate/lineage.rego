package rsi.gate

# Unreviewed lineage: a loop may build on unpromoted ancestors only so far before
# a human looks. Governor counts the generations itself, from the parentId chain
# it stored (input.lineage.generationsSinceLastPromoted); the loop's lineage[] is
# only cross-checked, and counts when it claims more.
governor_generations := object.get(input, ["lineage", "generationsSinceLastPromoted"], 0)

unreviewed_generations := max({governor_generations, count(ancestors_claimed_by_loop)})

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

# An ancestor Governor never received: Governor's count stops there (counting it
# as one generation), so the chain above it was never seen by anyone. The data
# says whether that is named as a finding, and with which effect.
unknown_ancestry if object.get(input, ["lineage", "unknownAncestry"], false) == true

findings contains {
	"rule": "unknown_ancestry",
	"message": concat("", [
		"parent ", as_text(object.get(input, ["proposal", "parentId"], null)),
		" (or an ancestor above it) was never received by Governor: ",
		num(governor_generations), " or more unreviewed generations",
	]),
	"effect": data.governor.lineage.unknownAncestryEffect,
} if {
	unknown_ancestry
	data.governor.lineage.unknownAncestryEffect != "none"
}

# Where Governor knows the whole chain, the loop's own list must agree with it.
findings contains {
	"rule": "lineage_mismatch",
	"message": concat("", [
		"the loop lists ", num(count(input.proposal.lineage)), " unpromoted ancestors; Governor counted ",
		num(governor_generations), " from the parentId chain it received",
	]),
	"effect": data.governor.lineage.mismatchEffect,
} if {
	is_array(input.proposal.lineage)
	is_number(input.lineage.generationsSinceLastPromoted)
	not unknown_ancestry
	count(input.proposal.lineage) != governor_generations
}
