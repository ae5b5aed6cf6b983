package rsi.gate

# While the kill switch is PAUSED or TRIPPED nothing new enters review; a
# proposal decided during a pause is decided again after resume.
findings contains {
	"rule": "kill_switch",
	"message": concat("", [
		"kill switch is ", num(object.get(input, ["killSwitch", "state"], null)),
		" (epoch ", num(object.get(input, ["killSwitch", "epoch"], null)), "), not RUNNING",
	]),
	"effect": "deny",
} if {
	object.get(input, ["killSwitch", "state"], null) != "RUNNING"
}
