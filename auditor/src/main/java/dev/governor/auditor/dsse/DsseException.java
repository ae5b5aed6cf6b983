package dev.governor.auditor.dsse;

/**
 * A DSSE envelope was malformed, or no signature on it verified; the message says which and why.
 * {@link #code()} is a short stable reason for machines ({@code not-envelope}, {@code unsigned},
 * {@code bad-signature}).
 */
public final class DsseException extends Exception {

    private static final long serialVersionUID = 1L;
    private final String code;

    public DsseException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
