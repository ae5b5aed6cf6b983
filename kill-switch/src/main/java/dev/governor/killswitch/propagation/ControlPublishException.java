package dev.governor.killswitch.propagation;

/** The control topic did not acknowledge a state. Guards will fail closed when their leases run out. */
public class ControlPublishException extends RuntimeException {

    public ControlPublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
