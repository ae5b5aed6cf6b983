package rsi.gate

# Regression: a result worse than its baseline by more than the tolerance for
# its metric is denied. Metrics listed in lowerIsBetter regress upwards.

regression_tolerance(metric) := data.governor.limits.regression.toleranceByMetric[metric] if {
	data.governor.limits.regression.toleranceByMetric[metric]
} else := data.governor.limits.regression.defaultTolerance

lower_is_better(metric) if metric in data.governor.limits.regression.lowerIsBetter

regressed(e) if {
	not lower_is_better(e.metric)
	worse_than_baseline_or_negative_tolerance(e)
	micro(e.baseline - e.value) > micro(regression_tolerance(e.metric))
}

regressed(e) if {
	lower_is_better(e.metric)
	worse_than_baseline_or_negative_tolerance(e)
	micro(e.value - e.baseline) > micro(regression_tolerance(e.metric))
}

# A value no worse than its baseline regresses only under a negative tolerance.
# Checking this first spares the usual evaluation the exact arithmetic, which is
# slow in the wasm engine; the outcome is the same.
worse_than_baseline_or_negative_tolerance(e) if {
	not lower_is_better(e.metric)
	e.value < e.baseline
}

worse_than_baseline_or_negative_tolerance(e) if {
	lower_is_better(e.metric)
	e.value > e.baseline
}

worse_than_baseline_or_negative_tolerance(e) if regression_tolerance(e.metric) < 0

findings contains {
	"rule": "regression",
	"message": concat("", [
		"evaluation ", evaluation_label(e), " is ", num(e.value), " against baseline ", num(e.baseline),
		", worse than the tolerance of ", num(regression_tolerance(e.metric)),
	]),
	"effect": "deny",
} if {
	some e in input.proposal.evaluations
	is_number(e.value)
	is_number(e.baseline)
	regressed(e)
}
