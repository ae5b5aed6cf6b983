package dev.governor.auditor.store;

/** The audit store could not do what was asked; the caller's transaction must roll back. */
public final class AuditStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AuditStoreException(String message) {
        super(message);
    }

    public AuditStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
