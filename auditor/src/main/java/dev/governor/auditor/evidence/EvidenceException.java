package dev.governor.auditor.evidence;

/** Evidence could not be read (as opposed to read and found wrong, which a {@link VerificationReport} says). */
public final class EvidenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EvidenceException(String message) {
        super(message);
    }

    public EvidenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
