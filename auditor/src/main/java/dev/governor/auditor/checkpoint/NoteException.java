package dev.governor.auditor.checkpoint;

/** A signed note, key or checkpoint was malformed, unknown or forged; the message says which and why. */
public final class NoteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NoteException(String message) {
        super(message);
    }

    public NoteException(String message, Throwable cause) {
        super(message, cause);
    }
}
