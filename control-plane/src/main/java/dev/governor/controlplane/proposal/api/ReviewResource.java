package dev.governor.controlplane.proposal.api;

import dev.governor.controlplane.review.Approval;
import dev.governor.controlplane.review.Rejection;
import dev.governor.controlplane.review.ReviewService;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/proposals/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ReviewResource {

    private final ReviewService reviews;
    private final ProposalService proposals;
    private final SecurityIdentity identity;

    public ReviewResource(ReviewService reviews, ProposalService proposals, SecurityIdentity identity) {
        this.reviews = reviews;
        this.proposals = proposals;
        this.identity = identity;
    }

    /** Architecture §7: one officer's approval of the digest and decision shown; the quorum promotes. */
    @POST
    @Path("/approvals")
    @RolesAllowed(Roles.SAFETY_OFFICER)
    public ProposalView approve(@PathParam("id") String id, Approval approval) {
        reviews.approve(id, approval, Actor.of(identity), identity.getRoles());
        return proposals.get(id);
    }

    @POST
    @Path("/rejections")
    @RolesAllowed(Roles.SAFETY_OFFICER)
    public ProposalView reject(@PathParam("id") String id, Rejection rejection) {
        reviews.reject(id, rejection == null ? null : rejection.reason(), Actor.of(identity));
        return proposals.get(id);
    }
}
