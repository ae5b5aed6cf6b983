package dev.governor.controlplane.problem;

import dev.governor.killswitch.state.CommandRefusedException;
import dev.governor.controlplane.audit.AccessDeniedAudit;
import dev.governor.controlplane.security.Actor;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Every error leaves the API as application/problem+json. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final Pattern PROPOSAL_PATH = Pattern.compile("^/api/v1/proposals/([^/]+)(/.*)?$");

    private final AccessDeniedAudit accessDenied;
    private final SecurityIdentity identity;

    public ProblemMappers(AccessDeniedAudit accessDenied, SecurityIdentity identity) {
        this.accessDenied = accessDenied;
        this.identity = identity;
    }

    /** An authenticated caller without the role: 403, and the attempt goes into the audit log. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, Request request) {
        String path = uri.getPath();
        Matcher m = PROPOSAL_PATH.matcher(path);
        accessDenied.record(Actor.of(identity), request.getMethod(), path, m.matches() ? m.group(1) : null);
        return respond(new Problem("urn:governor:problem:forbidden", "Forbidden", 403,
                "Your roles " + identity.getRoles() + " do not allow " + request.getMethod() + " " + path
                        + ". The attempt is recorded in the audit log.", path, "forbidden"));
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(new Problem("urn:governor:problem:" + e.code(), e.title(), e.status(), e.getMessage(),
                uri.getPath(), e.code()));
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
        return respond(new Problem("urn:governor:problem:" + code, title, status, e.getMessage(), uri.getPath(), code));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status == 401 || status == 403) {
            return e.getResponse();
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "Error";
        return respond(new Problem("about:blank", title, status, e.getMessage(), uri.getPath(), null));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.errorf(e, "Unexpected failure on %s", uri.getPath());
        return respond(new Problem("about:blank", "Internal error", 500,
                "Governor could not complete the request; the failure is logged. Nothing was changed.", uri.getPath(), "internal"));
    }

    private static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }
}
