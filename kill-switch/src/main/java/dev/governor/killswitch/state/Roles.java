package dev.governor.killswitch.state;

/**
 * The role names the state machine understands. {@link #SAFETY_OFFICER} and {@link #ADMIN} are
 * OIDC realm roles; {@link #AUTOMATION} is never taken from a token: the control plane grants it
 * only to its own components (the policy gate, the audit writer).
 */
public final class Roles {

    public static final String SAFETY_OFFICER = "safety-officer";
    public static final String ADMIN = "admin";
    public static final String AUTOMATION = "governor-automation";

    private Roles() {
    }
}
