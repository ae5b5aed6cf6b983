package dev.governor.controlplane.problem;

import jakarta.ws.rs.core.Response;
import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem detail. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String code) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
