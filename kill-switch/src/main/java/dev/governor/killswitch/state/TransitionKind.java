package dev.governor.killswitch.state;

/** What a change of the kill switch did. */
public enum TransitionKind {
    /** RUNNING to PAUSED, by a person or by automation. */
    PAUSED,
    /**
     * A pause while already PAUSED or TRIPPED: the state stays halted, any pending resume is withdrawn.
     * On PAUSED the new pauser and reason replace the old; on TRIPPED the trip's cause and reason stay.
     */
    PAUSE_REAFFIRMED,
    /** To TRIPPED, by automation, from any state; a new trip while TRIPPED replaces the cause. */
    TRIPPED,
    /** A first safety officer asked to resume; recorded as pending, the loop stays halted. */
    RESUME_REQUESTED,
    /** A second, different safety officer asked within the window: back to RUNNING. */
    RESUMED
}
