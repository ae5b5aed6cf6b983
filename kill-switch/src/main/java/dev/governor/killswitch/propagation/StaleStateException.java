package dev.governor.killswitch.propagation;

/** A publisher was asked to publish an older epoch than one it has already published; nothing was sent. */
public class StaleStateException extends ControlPublishException {

    public StaleStateException(String message) {
        super(message, null);
    }
}
