package dev.governor.auditor.log;

/** A proof did not verify; the message says which check failed. */
public final class ProofVerificationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProofVerificationException(String message) {
        super(message);
    }
}
