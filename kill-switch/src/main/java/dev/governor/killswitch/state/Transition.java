package dev.governor.killswitch.state;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One accepted command and what it did, for the control plane to persist, audit and publish.
 *
 * @param kind    what happened
 * @param actor   who asked
 * @param roles   the roles the actor held when asking
 * @param reason  why, as the actor wrote it
 * @param from    the state before (its epoch is {@link #fromEpoch()})
 * @param to      the new, signed state; its epoch is {@code from.epoch() + 1}
 * @param message a sentence for the person who asked, e.g. that a second officer must also resume
 */
public record Transition(
        TransitionKind kind,
        String actor,
        Set<String> roles,
        String reason,
        PauseState from,
        PauseState to,
        String message) {

    public Transition {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(actor, "actor");
        roles = Set.copyOf(roles);
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(message, "message");
    }

    public long fromEpoch() {
        return from.epoch();
    }

    public long toEpoch() {
        return to.epoch();
    }

    /** For {@link TransitionKind#RESUMED}: the first and the second officer, in that order; otherwise empty. */
    public List<String> resumingOfficers() {
        if (kind != TransitionKind.RESUMED) {
            return List.of();
        }
        return List.of(from.pendingResume().officer(), actor);
    }
}
