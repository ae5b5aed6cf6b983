package dev.governor.killswitch.state;

/** Whether the improvement loop may run. */
public enum KillSwitchState {
    /** The loop may run and promotions may commit. */
    RUNNING,
    /** Halted by a person (a safety officer or an admin). */
    PAUSED,
    /** Halted by automation: a critical policy breach, the rate limit, an audit-log failure, loss of the signing key. */
    TRIPPED
}
