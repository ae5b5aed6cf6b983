package dev.governor.killswitch.propagation;

import dev.governor.killswitch.state.CanonicalForm;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.state.StateVerifier;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;

/**
 * A signed state as issued on {@code rsi.control} at {@code issuedAt}. The state's own signature
 * covers the state; the issue signature covers {@link CanonicalForm#ofIssue} (epoch, state
 * signature, issue time), so a heartbeat cannot be forged or re-dated without the key.
 */
public record ControlMessage(PauseState state, Instant issuedAt, String issueSignature) {

    /** The record key of every message on the control topic. */
    public static final String KEY = "global";

    public ControlMessage {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(issuedAt, "issuedAt");
    }

    /** Issues an already signed state at {@code issuedAt} (truncated to milliseconds). */
    public static ControlMessage issue(PauseState signedState, Instant issuedAt, StateSigner signer) {
        if (!signedState.isSigned()) {
            throw new IllegalArgumentException("refusing to issue an unsigned state (epoch " + signedState.epoch() + ")");
        }
        Instant at = issuedAt.truncatedTo(ChronoUnit.MILLIS);
        byte[] signature = signer.sign(CanonicalForm.ofIssue(signedState, at));
        return new ControlMessage(signedState, at, Base64.getEncoder().encodeToString(signature));
    }

    /** Why {@code verifier} rejects this message, or {@code null} when both signatures verify. */
    public String rejectionBy(StateVerifier verifier) {
        if (!state.isSigned()) {
            return "the state at epoch " + state.epoch() + " is unsigned";
        }
        if (!state.isSignedBy(verifier)) {
            return "the state's signature at epoch " + state.epoch() + " does not verify";
        }
        if (issueSignature == null) {
            return "the message issuing epoch " + state.epoch() + " has no issue signature";
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(issueSignature);
        } catch (IllegalArgumentException notBase64) {
            return "the issue signature at epoch " + state.epoch() + " is not base64";
        }
        if (!verifier.verify(CanonicalForm.ofIssue(state, issuedAt), signature)) {
            return "the issue signature at epoch " + state.epoch() + " (issued " + issuedAt + ") does not verify";
        }
        return null;
    }

    public boolean isVerifiedBy(StateVerifier verifier) {
        return rejectionBy(verifier) == null;
    }
}
