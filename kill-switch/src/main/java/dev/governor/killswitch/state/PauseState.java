package dev.governor.killswitch.state;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;

/**
 * One version of the kill switch. Every change makes a new version with {@code epoch + 1};
 * the {@code signature} (base64 Ed25519, or {@code null} while unsigned) covers
 * {@link CanonicalForm#of(PauseState)}, that is every field but itself.
 *
 * @param state         RUNNING, PAUSED or TRIPPED
 * @param epoch         0 for the initial state, +1 for every change
 * @param reason        why the last change was made, as its actor wrote it
 * @param actor         who made the last change (a person's subject, or an automation component)
 * @param cause         for TRIPPED, what tripped it (e.g. the proposal id); otherwise {@code null}
 * @param changedAt     when the last change was made, in whole milliseconds
 * @param pendingResume a first officer's resume request waiting for a second officer, or {@code null}
 * @param signature     base64 signature over the canonical form, or {@code null}
 */
public record PauseState(
        KillSwitchState state,
        long epoch,
        String reason,
        String actor,
        String cause,
        Instant changedAt,
        PendingResume pendingResume,
        String signature) {

    /** The actor of the initial state, before anyone changed anything. */
    public static final String INITIAL_ACTOR = "governor";

    public PauseState {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(changedAt, "changedAt");
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, got " + epoch);
        }
        if (state == KillSwitchState.TRIPPED && cause == null) {
            throw new IllegalArgumentException("a TRIPPED state must name its cause");
        }
        if (state == KillSwitchState.RUNNING && pendingResume != null) {
            throw new IllegalArgumentException("a RUNNING state cannot have a pending resume");
        }
    }

    /** The state of a new installation: RUNNING at epoch 0, unsigned. */
    public static PauseState initial(Instant now) {
        return new PauseState(KillSwitchState.RUNNING, 0, "initial state", INITIAL_ACTOR, null,
                now.truncatedTo(ChronoUnit.MILLIS), null, null);
    }

    public boolean isRunning() {
        return state == KillSwitchState.RUNNING;
    }

    public boolean isSigned() {
        return signature != null;
    }

    /** The bytes a signature covers: {@link CanonicalForm#of(PauseState)}. */
    public byte[] canonicalBytes() {
        return CanonicalForm.of(this);
    }

    /** This state with a signature by {@code signer} over its canonical form (any old signature is replaced). */
    public PauseState signedWith(StateSigner signer) {
        byte[] sig = signer.sign(canonicalBytes());
        return new PauseState(state, epoch, reason, actor, cause, changedAt, pendingResume,
                Base64.getEncoder().encodeToString(sig));
    }

    /** Whether this state carries a signature that {@code verifier} accepts; false when unsigned or not base64. */
    public boolean isSignedBy(StateVerifier verifier) {
        if (signature == null) {
            return false;
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        return verifier.verify(canonicalBytes(), sig);
    }
}
