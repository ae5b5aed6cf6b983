package dev.governor.controlplane.problem;

import dev.governor.killswitch.state.CommandRefusedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves the API as application/problem+json. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return new Problem("urn:governor:problem:" + e.code(), e.title(), e.status(), e.getMessage(),
                uri.getPath(), e.code()).toResponse();
    }

    /** A kill-switch command the state machine refused: nothing changed; the detail says why and what to do. */
    @ServerExceptionMapper
    public Response refused(CommandRefusedException e, UriInfo uri) {
        int status = switch (e.refusal()) {
            case NOT_PERMITTED -> 403;
            case CONFLICT, SAME_OFFICER -> 409;
            case INVALID -> 400;
        };
        String code = "killswitch-" + e.refusal().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        String title = status == 403 ? "Forbidden" : status == 409 ? "Conflict" : "Bad Request";
        return new Problem("urn:governor:problem:" + code, title, status, e.getMessage(), uri.getPath(), code).toResponse();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status == 401 || status == 403) {
            return e.getResponse();
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "Error";
        return new Problem("about:blank", title, status, e.getMessage(), uri.getPath(), null).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.errorf(e, "Unexpected failure on %s", uri.getPath());
        return new Problem("about:blank", "Internal error", 500,
                "Governor could not complete the request; the failure is logged. Nothing was changed.", uri.getPath(), "internal")
                .toResponse();
    }
}
