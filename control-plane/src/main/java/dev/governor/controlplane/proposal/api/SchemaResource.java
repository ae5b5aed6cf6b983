package dev.governor.controlplane.proposal.api;

import dev.governor.controlplane.proposal.ProposalParser;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** The JSON Schema of a proposal's data, at a stable URL for the loops' developers. Public, like /q/openapi. */
@Path("/api/v1/schemas/proposal-data.v1.json")
public class SchemaResource {

    private static final String SCHEMA = ProposalParser.schemaText();

    @GET
    @PermitAll
    @Produces("application/schema+json")
    public String schema() {
        return SCHEMA;
    }
}
