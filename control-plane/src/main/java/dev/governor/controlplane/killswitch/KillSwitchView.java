package dev.governor.controlplane.killswitch;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.governor.killswitch.state.PauseState;

import java.time.Instant;

/**
 * The kill switch as the API shows it: the signed state, whether it verifies, and, after a
 * command, what the command did and what is needed next (e.g. a second officer); and a local halt
 * of this instance that the stored state does not show yet (the audit log refused a write).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KillSwitchView(String state, long epoch, String reason, String actor, String cause, Instant changedAt,
                             Pending pendingResume, String signature, boolean verified, String resumeWindow,
                             String transition, String message, String localHalt) {

    public record Pending(String officer, String reason, Instant requestedAt, Instant expiresAt) {
    }

    static KillSwitchView of(PauseState s, boolean verified, String resumeWindow, String transition, String message,
                             String localHalt) {
        var p = s.pendingResume();
        return new KillSwitchView(s.state().name(), s.epoch(), s.reason(), s.actor(), s.cause(), s.changedAt(),
                p == null ? null : new Pending(p.officer(), p.reason(), p.requestedAt(), p.expiresAt()),
                s.signature(), verified, resumeWindow, transition, message, localHalt);
    }
}
