package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.security.Roles;
import dev.governor.policies.WasmPolicyEngine;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** What policy is in force: the bundle revision, the engine, and the thresholds, limits and tiers it applies. */
@Path("/api/v1/policies/active")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    private final PolicyGate gate;
    private final ObjectMapper mapper;
    private final JsonNode bundleData;

    public PolicyResource(PolicyGate gate, ObjectMapper mapper) {
        this.gate = gate;
        this.mapper = mapper;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(WasmPolicyEngine.RESOURCE_DIR + "data.json")) {
            if (in == null) {
                throw new IllegalStateException("The policy bundle's data.json is missing from the classpath");
            }
            this.bundleData = mapper.readTree(in).path("governor");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @RolesAllowed({Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN, Roles.PROPOSER})
    public JsonNode active() {
        ObjectNode node = mapper.createObjectNode();
        node.put("bundle", PolicyGate.BUNDLE_NAME);
        node.put("revision", gate.revision());
        node.put("engine", gate.engineName());
        node.put("path", PolicyGate.DECISION_PATH);
        node.set("thresholds", bundleData.path("thresholds"));
        node.set("tiers", bundleData.path("tiers"));
        node.set("limits", bundleData.path("limits"));
        node.set("protectedPaths", bundleData.path("protected_paths"));
        node.set("evaluators", bundleData.path("evaluators"));
        return node;
    }
}
