package dev.governor.controlplane.security;

import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who did something: the identity provider's stable subject plus the user name people recognise.
 * With HTTP Basic (embedded run only) both are the user name.
 */
public record Actor(String subject, String username) {

    public static final Actor SYSTEM = new Actor("system:governor", "governor");

    public static Actor of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return new Actor("anonymous", "anonymous");
        }
        if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null) {
            String username = jwt.getClaim("preferred_username");
            return new Actor(jwt.getSubject(), username != null ? username : jwt.getName());
        }
        String name = identity.getPrincipal().getName();
        return new Actor(name, name);
    }

    @Override
    public String toString() {
        return username + " (" + subject + ")";
    }
}
