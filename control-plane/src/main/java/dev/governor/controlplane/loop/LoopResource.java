package dev.governor.controlplane.loop;

import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

import dev.governor.controlplane.problem.ProblemException;

/**
 * The loop registry over HTTP: admins register loops, change them and rotate their keys (every
 * change audited); officers and regulators read it, as does a loop's own proposer account.
 */
@Path("/api/v1/loops")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class LoopResource {

    /** Why a key is revoked. */
    public record Revocation(String reason) {
    }

    private final LoopRegistry registry;
    private final SecurityIdentity identity;

    public LoopResource(LoopRegistry registry, SecurityIdentity identity) {
        this.registry = registry;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({Roles.PROPOSER, Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN})
    public List<Loop> list() {
        return registry.list();
    }

    @GET
    @Path("/{loopId}")
    @RolesAllowed({Roles.PROPOSER, Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN})
    public Loop get(@PathParam("loopId") String loopId) {
        Loop loop = registry.find(loopId);
        if (loop == null) {
            throw ProblemException.notFound("No loop " + loopId + " is registered");
        }
        return loop;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    public Response register(LoopRegistry.Registration registration) {
        Loop loop = registry.register(registration, Actor.of(identity));
        return Response.created(URI.create("/api/v1/loops/" + loop.loopId())).entity(loop).build();
    }

    @PUT
    @Path("/{loopId}")
    @RolesAllowed(Roles.ADMIN)
    public Loop update(@PathParam("loopId") String loopId, LoopRegistry.Registration registration) {
        if (registration == null) {
            throw ProblemException.badRequest("invalid-loop", "The body names what changes: sourceSystem, displayName, owners, submitters, status");
        }
        if (registration.keys() != null && !registration.keys().isEmpty()) {
            throw ProblemException.badRequest("invalid-loop", "Keys are added with POST /api/v1/loops/" + loopId + "/keys and revoked one by one");
        }
        return registry.update(loopId, registration, Actor.of(identity));
    }

    @POST
    @Path("/{loopId}/keys")
    @RolesAllowed(Roles.ADMIN)
    public Response addKey(@PathParam("loopId") String loopId, LoopRegistry.NewKey key) {
        LoopKey added = registry.addKey(loopId, key, Actor.of(identity));
        return Response.created(URI.create("/api/v1/loops/" + loopId + "/keys/" + added.keyId())).entity(added).build();
    }

    @POST
    @Path("/{loopId}/keys/{keyId}/revocation")
    @RolesAllowed(Roles.ADMIN)
    public LoopKey revokeKey(@PathParam("loopId") String loopId, @PathParam("keyId") String keyId, Revocation revocation) {
        if (revocation == null || revocation.reason() == null || revocation.reason().isBlank()) {
            throw ProblemException.badRequest("reason-required", "A revocation needs a reason: say why the key may no longer sign");
        }
        return registry.revokeKey(loopId, keyId, revocation.reason().strip(), Actor.of(identity));
    }
}
