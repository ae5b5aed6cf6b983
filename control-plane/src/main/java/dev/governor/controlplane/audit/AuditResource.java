package dev.governor.controlplane.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.store.AuditQuery;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.security.Roles;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Regulator API over the tamper-evident log (regulators; safety officers may read too). */
@Path("/api/v1/audit")
@RolesAllowed({Roles.REGULATOR, Roles.SAFETY_OFFICER})
public class AuditResource {

    private final AuditService audit;
    private final AuditKeys keys;
    private final AuditFeed feed;

    public AuditResource(AuditService audit, AuditKeys keys, AuditFeed feed) {
        this.audit = audit;
        this.keys = keys;
        this.feed = feed;
    }

    /**
     * Server-sent events: the log's size at once ({@code type: "head"}), then a summary of every
     * entry appended from then on, by any instance (index, type, proposal, actor, leaf hash).
     */
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<ObjectNode> events() {
        return feed.follow();
    }

    /** The newest signed checkpoint, a C2SP signed note. */
    @GET
    @Path("/checkpoint")
    @Produces(MediaType.TEXT_PLAIN)
    public String checkpoint() {
        return audit.checkpoint();
    }

    /** The key that verifies checkpoints, in signed-note verifier-key encoding. */
    @GET
    @Path("/verifier-key")
    @Produces(MediaType.TEXT_PLAIN)
    @RolesAllowed({Roles.REGULATOR, Roles.SAFETY_OFFICER, Roles.ADMIN})
    public String verifierKey() {
        return keys.verifierKey() + "\n";
    }

    @GET
    @Path("/entries")
    @Produces(MediaType.APPLICATION_JSON)
    public ObjectNode entries(@QueryParam("proposalId") String proposalId, @QueryParam("actor") String actor,
                              @QueryParam("type") String type, @QueryParam("from") String from, @QueryParam("to") String to,
                              @QueryParam("policyRevision") String policyRevision,
                              @QueryParam("after") @DefaultValue("-1") long after,
                              @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
            throw ProblemException.badRequest("bad-limit", "limit must be between 1 and " + AuditQuery.MAX_LIMIT);
        }
        AuditQuery query = AuditQuery.all().page(after, limit);
        if (proposalId != null) {
            query = query.withProposalId(proposalId);
        }
        if (actor != null) {
            query = query.withActor(actor);
        }
        if (type != null) {
            query = query.withType(type);
        }
        if (policyRevision != null) {
            query = query.withPolicyRevision(policyRevision);
        }
        if (from != null || to != null) {
            query = query.between(instant("from", from), instant("to", to));
        }
        return audit.entries(query);
    }

    @GET
    @Path("/entries/{index}/inclusion")
    @Produces(MediaType.APPLICATION_JSON)
    public ObjectNode inclusion(@PathParam("index") long index, @QueryParam("treeSize") Long treeSize) {
        return audit.inclusion(index, treeSize);
    }

    @GET
    @Path("/consistency")
    @Produces(MediaType.APPLICATION_JSON)
    public ObjectNode consistency(@QueryParam("from") long from, @QueryParam("to") long to) {
        return audit.consistency(from, to);
    }

    /** Everything about one proposal, proven against a signed checkpoint; verify it offline. */
    @GET
    @Path("/evidence/{proposalId}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response evidence(@PathParam("proposalId") String proposalId) {
        return Response.ok(audit.evidence(proposalId))
                .header("Content-Disposition", "attachment; filename=\"evidence-" + proposalId.replaceAll("[^A-Za-z0-9._-]", "_") + ".json\"")
                .build();
    }

    private static Instant instant(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("bad-time", name + " must be an RFC 3339 instant such as 2026-01-31T12:00:00Z");
        }
    }
}
