package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.security.Roles;
import dev.governor.policies.WasmPolicyEngine;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/**
 * What policy is in force (the bundle revision, the engine, and the thresholds, limits and tiers
 * it applies), the bundles Governor knows, and, for admins, uploading a bundle and putting a
 * revision into force.
 */
@Path("/api/v1/policies")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    /** What {@code POST /api/v1/policies/active} takes. */
    public record ActivationRequest(String revision, String reason) {
    }

    private final PolicyGate gate;
    private final ActivePolicyEngine engine;
    private final PolicyActivation activation;
    private final SecurityIdentity identity;
    private final ObjectMapper mapper;
    private final JsonNode shippedData;

    public PolicyResource(PolicyGate gate, ActivePolicyEngine engine, PolicyActivation activation, SecurityIdentity identity,
                          ObjectMapper mapper) {
        this.gate = gate;
        this.engine = engine;
        this.activation = activation;
        this.identity = identity;
        this.mapper = mapper;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(WasmPolicyEngine.RESOURCE_DIR + "data.json")) {
            if (in == null) {
                throw new IllegalStateException("The policy bundle's data.json is missing from the classpath");
            }
            this.shippedData = mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Path("/active")
    @RolesAllowed({Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN, Roles.PROPOSER})
    public JsonNode active() {
        // The data of the bundle this instance decides with; an OPA server's is the one shipped with it.
        JsonNode data = (engine.data() != null ? engine.data() : shippedData).path("governor");
        ObjectNode node = mapper.createObjectNode();
        node.put("bundle", PolicyGate.BUNDLE_NAME);
        node.put("revision", gate.revision());
        node.put("engine", gate.engineName());
        node.put("path", PolicyGate.DECISION_PATH);
        activation.active().ifPresent(a -> node.putObject("activation")
                .put("revision", a.revision())
                .put("source", a.source())
                .put("deployedRevision", a.deployedRevision())
                .put("activatedBy", a.activatedBy())
                .put("activatedAt", a.activatedAt().toString())
                .put("reason", a.reason()));
        node.set("thresholds", data.path("thresholds"));
        node.set("tiers", data.path("tiers"));
        node.set("limits", data.path("limits"));
        node.set("protectedPaths", data.path("protected_paths"));
        node.set("evaluators", data.path("evaluators"));
        return node;
    }

    /** Puts a known revision into force on every instance (admin; audited with the reason). */
    @POST
    @Path("/active")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public JsonNode activate(ActivationRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("body-required", "send {\"revision\": \"<64 hex>\", \"reason\": \"...\"}");
        }
        activation.activate(request.revision(), request.reason(), Actor.of(identity));
        return active();
    }

    @GET
    @Path("/bundles")
    @RolesAllowed({Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN})
    public JsonNode bundles() {
        ArrayNode items = mapper.createArrayNode();
        String inForce = gate.revision();
        for (BundleStore.Bundle b : activation.bundles()) {
            items.add(view(b).put("inForce", b.revision().equals(inForce)));
        }
        ObjectNode node = mapper.createObjectNode();
        node.set("items", items);
        return node;
    }

    /**
     * Uploads a bundle built with {@code opa build -t wasm -e rsi/gate/decision --revision R}
     * (gzipped tar); it is stored only if it loads and holds the policy floor. It does not go
     * into force until {@code POST /api/v1/policies/active}.
     */
    @POST
    @Path("/bundles")
    @Consumes({"application/gzip", "application/x-gzip", MediaType.APPLICATION_OCTET_STREAM})
    @RolesAllowed(Roles.ADMIN)
    public Response upload(byte[] archive) {
        if (archive == null || archive.length == 0) {
            throw ProblemException.badRequest("body-required", "send the bundle archive (opa build -t wasm) as the request body");
        }
        Map.Entry<BundleStore.Bundle, Boolean> stored = activation.upload(archive, Actor.of(identity));
        ObjectNode body = view(stored.getKey());
        return stored.getValue()
                ? Response.created(URI.create("/api/v1/policies/bundles/" + stored.getKey().revision())).entity(body).build()
                : Response.ok(body).build();
    }

    private ObjectNode view(BundleStore.Bundle b) {
        ObjectNode node = mapper.createObjectNode();
        node.put("revision", b.revision());
        node.put("source", b.source());
        node.put("bundleSha256", b.bundleSha256());
        node.put("addedBy", b.addedBy());
        node.put("addedAt", b.addedAt().toString());
        return node;
    }
}
