package dev.governor.killswitch.guard;

import dev.governor.killswitch.state.KillSwitchState;

import java.util.Objects;

/**
 * Thrown by {@link KillSwitchGuard#check()} when the loop must not take its next step: the kill
 * switch is PAUSED or TRIPPED, or the guard cannot tell (lease expired, no state yet) and so
 * fails closed. The loop should stop starting work and wait ({@link KillSwitchGuard#awaitRunning}).
 */
public class LoopHaltedException extends RuntimeException {

    private final transient GuardStatus status;

    public LoopHaltedException(GuardStatus status) {
        super("loop halted: " + Objects.requireNonNull(status, "status").reason());
        this.status = status;
    }

    public GuardStatus status() {
        return status;
    }

    /** The last verified state (PAUSED, TRIPPED, or RUNNING when the lease expired), or {@code null} if none. */
    public KillSwitchState state() {
        return status.state();
    }

    /** The last verified epoch, or -1 if none. */
    public long epoch() {
        return status.epoch();
    }

    public String reason() {
        return status.reason();
    }

    public GuardStatus.Verdict verdict() {
        return status.verdict();
    }
}
