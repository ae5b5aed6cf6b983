package dev.governor.controlplane.console;

import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.util.List;

/**
 * What the web console (static files under {@code /console/}) needs from the server besides the
 * API: how to sign in, and who the signed-in caller is. The console itself holds no secret.
 */
@Path("/")
public class ConsoleResource {

    /** How the console signs people in; public, since it is read before anyone has. */
    public record SignIn(String auth, String issuer, String clientId) {
    }

    /** The caller as the server sees it: the same roles every endpoint checks. */
    public record Me(String username, String subject, List<String> roles) {
    }

    private static final List<String> KNOWN_ROLES =
            List.of(Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN, Roles.PROPOSER);

    private final SignIn signIn;
    private final SecurityIdentity identity;

    public ConsoleResource(GovernorConfig config, SecurityIdentity identity,
                           @ConfigProperty(name = "quarkus.oidc.auth-server-url") String tokenIssuer) {
        GovernorConfig.Console console = config.console();
        boolean oidc = !"basic".equals(console.auth());
        this.signIn = oidc
                ? new SignIn("oidc", console.oidcIssuer().orElse(tokenIssuer), console.oidcClientId())
                : new SignIn("basic", null, null);
        this.identity = identity;
    }

    /** The console lives at {@code /console/}; the bare host goes there. */
    @GET
    @PermitAll
    public Response root() {
        return Response.seeOther(URI.create("/console/")).build();
    }

    @GET
    @Path("/api/v1/console/sign-in")
    @Produces(MediaType.APPLICATION_JSON)
    @PermitAll
    public SignIn signIn() {
        return signIn;
    }

    @GET
    @Path("/api/v1/me")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN, Roles.PROPOSER})
    public Me me() {
        Actor actor = Actor.of(identity);
        List<String> roles = KNOWN_ROLES.stream().filter(identity::hasRole).toList();
        return new Me(actor.username(), actor.subject(), roles);
    }
}
