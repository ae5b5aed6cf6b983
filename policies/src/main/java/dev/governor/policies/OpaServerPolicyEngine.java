package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asks an OPA server: {@code POST {baseUrl}/v1/data/rsi/gate/decision?provenance=true}.
 *
 * <p>Every answer carries the revision of the bundle the server evaluated (OPA provenance),
 * returned with the decision by {@link #evaluate(JsonNode)}; {@link #revision()} returns the
 * one reported most recently, asking the server if no decision has been made yet.
 * Thread-safe: {@link HttpClient} is.
 */
public final class OpaServerPolicyEngine implements PolicyEngine {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DECISION_URL_PATH = "/v1/data/" + DECISION_PATH + "?provenance=true";
    /** A cheap document of the same bundle, read only to learn the revision. */
    private static final String REVISION_URL_PATH = "/v1/data/governor/tiers?provenance=true";

    private final URI baseUrl;
    private final Duration timeout;
    private final HttpClient http;
    private final AtomicReference<String> lastRevision = new AtomicReference<>();

    public OpaServerPolicyEngine(URI baseUrl, Duration timeout) {
        this.baseUrl = URI.create(Objects.requireNonNull(baseUrl, "baseUrl").toString().replaceAll("/+$", ""));
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public PolicyEvaluation evaluate(JsonNode input) {
        ObjectNode body = JSON.createObjectNode();
        body.set("input", input);
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(baseUrl.resolve(DECISION_URL_PATH))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
        } catch (IOException e) {
            throw new PolicyEngineException("cannot serialise the policy input", e);
        }
        JsonNode response = send(request);
        JsonNode result = response.get("result");
        if (result == null) {
            throw new PolicyEngineException("OPA server at " + baseUrl + " returned no result for " + DECISION_PATH
                    + ": the document is undefined for this input, or the server has no rsi.gate bundle loaded");
        }
        PolicyDecision decision = PolicyDecision.fromJson(result);
        String revision = revisionOf(response);
        lastRevision.set(revision);
        return new PolicyEvaluation(decision, revision, name());
    }

    @Override
    public String revision() {
        String known = lastRevision.get();
        if (known != null) {
            return known;
        }
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(REVISION_URL_PATH)).timeout(timeout).GET().build();
        String revision = revisionOf(send(request));
        lastRevision.compareAndSet(null, revision);
        return revision;
    }

    @Override
    public String name() {
        return "opa-server";
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new PolicyEngineException("OPA server at " + baseUrl + " did not answer within " + timeout, e);
        } catch (ConnectException e) {
            throw new PolicyEngineException("cannot connect to the OPA server at " + baseUrl
                    + "; start it with: opa run --server --bundle \"$(scripts/policy server-bundle | tail -1)\"", e);
        } catch (IOException e) {
            throw new PolicyEngineException("request to the OPA server at " + baseUrl + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyEngineException("interrupted while waiting for the OPA server at " + baseUrl, e);
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() != 200) {
            throw new PolicyEngineException("OPA server at " + baseUrl + " answered HTTP " + response.statusCode()
                    + " to " + request.method() + " " + request.uri().getPath() + ": " + text);
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new PolicyEngineException("OPA server at " + baseUrl + " answered with something other than JSON: "
                    + text, e);
        }
    }

    /** The single bundle's revision from the provenance block; more than one bundle is ambiguous. */
    private String revisionOf(JsonNode response) {
        JsonNode bundles = response.path("provenance").path("bundles");
        if (!bundles.isObject() || bundles.size() != 1) {
            throw new PolicyEngineException("OPA server at " + baseUrl
                    + " must serve exactly one bundle with a revision; provenance was " + response.get("provenance"));
        }
        Iterator<Map.Entry<String, JsonNode>> only = bundles.fields();
        JsonNode revision = only.next().getValue().get("revision");
        if (revision == null || !revision.isTextual() || revision.textValue().isEmpty()) {
            throw new PolicyEngineException("OPA server at " + baseUrl + " reports a bundle without a revision: "
                    + bundles + "; build it with scripts/policy server-bundle");
        }
        return revision.textValue();
    }
}
