package dev.governor.killswitch.guard;

import dev.governor.killswitch.state.KillSwitchState;
import dev.governor.killswitch.state.PauseState;

import java.time.Instant;

/**
 * What a guard would answer now.
 *
 * @param verdict        whether the loop may run, and if not, why
 * @param lastState      the last verified state, or {@code null} when none arrived yet
 * @param leaseExpiresAt when the lease runs out without renewal, or {@code null} when there is none
 * @param reason         a sentence for logs and for the loop's operator
 */
public record GuardStatus(Verdict verdict, PauseState lastState, Instant leaseExpiresAt, String reason) {

    /** The guard's answer. Everything but RUNNING halts the loop. */
    public enum Verdict {
        /** The last verified state is RUNNING and its lease has not expired. */
        RUNNING,
        /** The last verified state is PAUSED or TRIPPED. */
        HALTED,
        /** No verified message renewed the lease in time: Governor or the broker cannot be reached. */
        LEASE_EXPIRED,
        /** No verified message has arrived since the guard started. */
        NO_STATE
    }

    public boolean running() {
        return verdict == Verdict.RUNNING;
    }

    /** The last verified state's value, or {@code null} when none arrived yet. */
    public KillSwitchState state() {
        return lastState == null ? null : lastState.state();
    }

    /** The last verified state's epoch, or -1 when none arrived yet. */
    public long epoch() {
        return lastState == null ? -1 : lastState.epoch();
    }
}
