package dev.governor.killswitch.state;

import java.util.Objects;

/** A command the state machine refused; the state did not change. The message says why and what to do. */
public class CommandRefusedException extends RuntimeException {

    /** Why a command was refused; the control plane maps these to HTTP statuses. */
    public enum Refusal {
        /** The actor lacks the role the command needs (HTTP 403). */
        NOT_PERMITTED,
        /** The command conflicts with the current state, e.g. resuming while RUNNING (HTTP 409). */
        CONFLICT,
        /** The same officer asked to resume again while their own request is pending (HTTP 409). */
        SAME_OFFICER,
        /** A required argument is missing or blank (HTTP 400). */
        INVALID
    }

    private final Refusal refusal;
    private final PauseState current;

    public CommandRefusedException(Refusal refusal, PauseState current, String message) {
        super(message);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
        this.current = current;
    }

    public Refusal refusal() {
        return refusal;
    }

    /** The state the command was refused against (unchanged). */
    public PauseState current() {
        return current;
    }
}
