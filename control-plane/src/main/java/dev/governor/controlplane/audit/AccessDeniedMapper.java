package dev.governor.controlplane.audit;

import dev.governor.controlplane.problem.Problem;
import dev.governor.controlplane.security.Actor;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An authenticated caller without the role: 403 as problem+json, and the attempt goes into the audit log. */
public class AccessDeniedMapper {

    private static final Pattern PROPOSAL_PATH = Pattern.compile("^/api/v1/proposals/([^/]+)(/.*)?$");

    private final AccessDeniedAudit accessDenied;
    private final SecurityIdentity identity;

    public AccessDeniedMapper(AccessDeniedAudit accessDenied, SecurityIdentity identity) {
        this.accessDenied = accessDenied;
        this.identity = identity;
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, Request request) {
        String path = uri.getPath();
        Matcher m = PROPOSAL_PATH.matcher(path);
        accessDenied.record(Actor.of(identity), request.getMethod(), path, m.matches() ? m.group(1) : null);
        return new Problem("urn:governor:problem:forbidden", "Forbidden", 403,
                "Your roles " + identity.getRoles() + " do not allow " + request.getMethod() + " " + path
                        + ". The attempt is recorded in the audit log.", path, "forbidden").toResponse();
    }
}
