package dev.governor.controlplane.loop;

/**
 * A proposal whose sender could not be established: {@code code} is the dead-letter reason
 * ({@code unsigned}, {@code bad-signature}, {@code unknown-loop}, {@code loop-disabled}).
 */
public final class Unverified extends Exception {

    private static final long serialVersionUID = 1L;
    private final String code;

    public Unverified(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
