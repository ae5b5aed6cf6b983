package dev.governor.auditor.canonical;

/** The input has no RFC 8785 canonical form; the message says which value and why. */
public final class CanonicalJsonException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public CanonicalJsonException(String message) {
        super(message);
    }

    public CanonicalJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
