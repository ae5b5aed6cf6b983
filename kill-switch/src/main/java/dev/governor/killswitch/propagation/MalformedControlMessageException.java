package dev.governor.killswitch.propagation;

/** A record on the control topic that is not a valid kill-switch message; the message says what is wrong. */
public class MalformedControlMessageException extends RuntimeException {

    public MalformedControlMessageException(String message) {
        super(message);
    }

    public MalformedControlMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
