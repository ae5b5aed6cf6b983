package dev.governor.controlplane.proposal.api;

import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;
import java.util.Locale;

@Path("/api/v1/proposals")
@Produces(MediaType.APPLICATION_JSON)
public class ProposalResource {

    private final ProposalService service;
    private final SecurityIdentity identity;

    public ProposalResource(ProposalService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    /** Publishes to rsi.proposals; 202 means Kafka has it, not that it is decided yet. */
    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/cloudevents+json"})
    @RolesAllowed(Roles.PROPOSER)
    public Response submit(byte[] body) {
        SubmissionReceipt receipt = service.submit(body, Actor.of(identity));
        return Response.accepted(receipt).location(URI.create(receipt.location())).build();
    }

    @GET
    @RolesAllowed({Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN, Roles.PROPOSER})
    public List<ProposalView> list(@QueryParam("status") String status, @QueryParam("loopId") String loopId,
                                   @QueryParam("order") @DefaultValue("oldest") String order,
                                   @QueryParam("page") @DefaultValue("0") int page,
                                   @QueryParam("size") @DefaultValue("50") int size) {
        ProposalStatus wanted = null;
        if (status != null) {
            try {
                wanted = ProposalStatus.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("unknown-status", "status must be one of " + List.of(ProposalStatus.values()));
            }
        }
        if (page < 0 || size < 1 || size > 500) {
            throw ProblemException.badRequest("bad-page", "page must be >= 0 and size between 1 and 500");
        }
        if (!order.equals("oldest") && !order.equals("newest")) {
            throw ProblemException.badRequest("bad-order", "order must be oldest (the default) or newest");
        }
        return service.list(wanted, loopId, onlyOwn() ? Actor.of(identity).subject() : null, order.equals("newest"), page, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN, Roles.PROPOSER})
    public ProposalView get(@PathParam("id") String id) {
        ProposalView view = service.get(id);
        if (onlyOwn() && !Actor.of(identity).subject().equals(view.submittedBy())) {
            // Same answer as for an unknown id: a proposer learns nothing about other loops' proposals.
            throw ProblemException.notFound("No proposal " + id + " has been received (it may still be in rsi.proposals)");
        }
        return view;
    }

    /** A proposer without any reviewing role sees only what it submitted itself. */
    private boolean onlyOwn() {
        return identity.hasRole(Roles.PROPOSER) && !identity.hasRole(Roles.SAFETY_OFFICER)
                && !identity.hasRole(Roles.REGULATOR) && !identity.hasRole(Roles.ADMIN);
    }
}
