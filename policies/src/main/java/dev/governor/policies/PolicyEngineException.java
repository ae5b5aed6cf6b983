package dev.governor.policies;

/** The policy engine could not produce a decision; the message says what failed and where. */
public class PolicyEngineException extends RuntimeException {

    public PolicyEngineException(String message) {
        super(message);
    }

    public PolicyEngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
