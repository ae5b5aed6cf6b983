package dev.governor.controlplane.security;

/** Realm roles of architecture §5; the same names in Keycloak, the embedded users and the code. */
public final class Roles {
    public static final String PROPOSER = "proposer";
    public static final String SAFETY_OFFICER = "safety-officer";
    public static final String REGULATOR = "regulator";
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
