package dev.governor.controlplane.proposal;

/**
 * A message that cannot be a proposal. {@link #code()} is a stable machine-readable reason
 * (also the first word of the {@code governor-error} header on the dead-letter topic).
 */
public final class MalformedProposalException extends Exception {

    private final String code;

    public MalformedProposalException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** The {@code governor-error} header value: {@code code: message}. */
    public String reason() {
        return code + ": " + getMessage();
    }
}
