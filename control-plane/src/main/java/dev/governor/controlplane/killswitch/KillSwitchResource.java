package dev.governor.controlplane.killswitch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.security.Roles;
import dev.governor.killswitch.propagation.ControlMessageJson;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.Transition;
import dev.governor.killswitch.state.TransitionKind;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.HashSet;
import java.util.Set;

/** Architecture §7: read the kill switch, follow it, pause it, and resume it with two officers. */
@Path("/api/v1/killswitch")
@Produces(MediaType.APPLICATION_JSON)
public class KillSwitchResource {

    /** The body of a pause or resume: why. */
    public record Command(String reason) {
    }

    private final KillSwitchService killSwitch;
    private final SecurityIdentity identity;
    private final String window;

    public KillSwitchResource(KillSwitchService killSwitch, SecurityIdentity identity, GovernorConfig config) {
        this.killSwitch = killSwitch;
        this.identity = identity;
        this.window = config.killswitch().resumeWindow().toString();
    }

    @GET
    @RolesAllowed({Roles.PROPOSER, Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN})
    public KillSwitchView get() {
        PauseState s = killSwitch.current();
        return KillSwitchView.of(s, killSwitch.verifies(s), window, null, null, killSwitch.localHalt());
    }

    /**
     * Server-sent events: the current state at once, then every change and every heartbeat
     * (each carrying the state's signature; loops verify it with {@code verifier-key}).
     */
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.PROPOSER, Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN})
    public Multi<ObjectNode> events() {
        PauseState now = killSwitch.current();
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(now), killSwitch.events())
                .map(ControlMessageJson::encode);
    }

    /** The Ed25519 public key (X.509, base64) that verifies every state, for the loops' guards. */
    @GET
    @Path("/verifier-key")
    @Produces(MediaType.TEXT_PLAIN)
    @RolesAllowed({Roles.PROPOSER, Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN})
    public String verifierKey() {
        return killSwitch.verifierKey() + "\n";
    }

    /** Halts the loop at once: one safety officer or admin. */
    @POST
    @Path("/pause")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.SAFETY_OFFICER, Roles.ADMIN})
    public KillSwitchView pause(Command command) {
        Transition t = killSwitch.pause(Actor.of(identity), roles(), command == null ? null : command.reason());
        return view(t);
    }

    /** 202 while a second, different safety officer is still needed; 200 once the loop runs again. */
    @POST
    @Path("/resume")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.SAFETY_OFFICER)
    public Response resume(Command command) {
        Transition t = killSwitch.resume(Actor.of(identity), roles(), command == null ? null : command.reason());
        return Response.status(t.kind() == TransitionKind.RESUME_REQUESTED ? 202 : 200).entity(view(t)).build();
    }

    private KillSwitchView view(Transition t) {
        return KillSwitchView.of(t.to(), true, window, t.kind().name(), t.message(), killSwitch.localHalt());
    }

    /** The caller's realm roles only: automation is never taken from a request. */
    private Set<String> roles() {
        Set<String> roles = new HashSet<>(identity.getRoles());
        roles.remove(dev.governor.killswitch.state.Roles.AUTOMATION);
        return roles;
    }
}
