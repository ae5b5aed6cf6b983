package dev.governor.controlplane.killswitch;

import dev.governor.controlplane.security.Actor;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PendingResume;

/** Who is resuming, as the kill-switch state names them; separation of duties on the stable subject. */
final class ResumeOfficer {

    private ResumeOfficer() {
    }

    /**
     * How the state names a resuming officer: {@code username (subject)}, as every actor is named.
     * Whether two requests come from one officer is decided on the subject alone: when the pending
     * request's subject is the caller's, the caller is named exactly as that request was, so one
     * person under a second display name (or renamed in between) is the same officer and cannot
     * resume alone.
     */
    static String name(PauseState current, Actor actor) {
        PendingResume pending = current.pendingResume();
        if (pending != null && actor.subject().equals(subjectOf(pending.officer()))) {
            return pending.officer();
        }
        return actor.toString();
    }

    /** The subject in an actor's name {@code username (subject)}; the whole name if it has none. */
    static String subjectOf(String officer) {
        int open = officer.lastIndexOf(" (");
        return open >= 0 && officer.endsWith(")") ? officer.substring(open + 2, officer.length() - 1) : officer;
    }
}
