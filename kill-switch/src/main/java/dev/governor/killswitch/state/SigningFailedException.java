package dev.governor.killswitch.state;

/** The signing key could not sign. The state was not changed; treat this as loss of the signing key. */
public class SigningFailedException extends RuntimeException {

    public SigningFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
