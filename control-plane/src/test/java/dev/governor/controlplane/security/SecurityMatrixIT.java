package dev.governor.controlplane.security;

import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.ProposalMessages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the API against every kind of credential: none, expired, from another issuer,
 * with a tampered signature, for another audience (all 401), and each role of the realm (the roles
 * of architecture §5 pass the role check; all others get 403). Requests that pass are made so that
 * they change nothing (an empty reason, an incomplete body), so the answer past the role check is a
 * 4xx of the endpoint itself, never 401 or 403, or a 200 for reads.
 */
@QuarkusTest
class SecurityMatrixIT {

    private static final String PROPOSER = "proposer";
    private static final String OFFICER = "safety-officer";
    private static final String REGULATOR = "regulator";
    private static final String ADMIN = "admin";
    private static final Set<String> ANY = Set.of(PROPOSER, OFFICER, REGULATOR, ADMIN);
    /** A server-sent event stream: only its status is read, then the stream is closed. */
    private static final String EVENT_STREAM = "text/event-stream";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One endpoint: how to call it, and which roles may. */
    private record Endpoint(String method, String path, String body, Set<String> roles, String contentType) {
        Endpoint(String method, String path, String body, Set<String> roles) {
            this(method, path, body, roles, "application/json");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static List<Endpoint> endpoints(String proposal) {
        String p = "/api/v1/proposals/" + proposal;
        return List.of(
                new Endpoint("GET", "/api/v1/proposals", null, ANY),
                new Endpoint("GET", p, null, ANY),
                new Endpoint("POST", "/api/v1/proposals", "{}", Set.of(PROPOSER)),
                new Endpoint("POST", p + "/approvals", "{}", Set.of(OFFICER)),
                new Endpoint("POST", p + "/rejections", "{\"reason\":\"\"}", Set.of(OFFICER)),
                new Endpoint("GET", "/api/v1/killswitch", null, ANY),
                new Endpoint("GET", "/api/v1/killswitch/verifier-key", null, ANY),
                new Endpoint("POST", "/api/v1/killswitch/pause", "{\"reason\":\"\"}", Set.of(OFFICER, ADMIN)),
                new Endpoint("POST", "/api/v1/killswitch/resume", "{\"reason\":\"\"}", Set.of(OFFICER)),
                new Endpoint("GET", "/api/v1/policies/active", null, ANY),
                new Endpoint("POST", "/api/v1/policies/active", "{\"revision\":\"\",\"reason\":\"\"}", Set.of(ADMIN)),
                new Endpoint("GET", "/api/v1/policies/bundles", null, Set.of(OFFICER, REGULATOR, ADMIN)),
                new Endpoint("POST", "/api/v1/policies/bundles", "not a bundle", Set.of(ADMIN), "application/gzip"),
                new Endpoint("GET", "/api/v1/audit/checkpoint", null, Set.of(REGULATOR, OFFICER)),
                new Endpoint("GET", "/api/v1/audit/verifier-key", null, Set.of(REGULATOR, OFFICER, ADMIN)),
                new Endpoint("GET", "/api/v1/audit/entries?proposalId=" + proposal, null, Set.of(REGULATOR, OFFICER)),
                new Endpoint("GET", "/api/v1/audit/entries/0/inclusion?treeSize=1", null, Set.of(REGULATOR, OFFICER)),
                new Endpoint("GET", "/api/v1/audit/consistency?from=1&to=1", null, Set.of(REGULATOR, OFFICER)),
                new Endpoint("GET", "/api/v1/audit/evidence/" + proposal, null, Set.of(REGULATOR, OFFICER)),
                new Endpoint("GET", "/api/v1/audit/events", null, Set.of(REGULATOR, OFFICER), EVENT_STREAM),
                new Endpoint("GET", "/api/v1/killswitch/events", null, ANY, EVENT_STREAM),
                new Endpoint("GET", "/api/v1/me", null, ANY),
                new Endpoint("GET", "/api/v1/loops", null, ANY),
                new Endpoint("GET", "/api/v1/loops/loop-matrix", null, ANY),
                new Endpoint("POST", "/api/v1/loops", "{}", Set.of(ADMIN)),
                new Endpoint("PUT", "/api/v1/loops/loop-matrix", "{\"sourceSystem\":\"skynet\"}", Set.of(ADMIN)),
                new Endpoint("POST", "/api/v1/loops/loop-matrix/keys", "{}", Set.of(ADMIN)),
                new Endpoint("POST", "/api/v1/loops/loop-matrix/keys/" + "0".repeat(64) + "/revocation", "{\"reason\":\"\"}",
                        Set.of(ADMIN)));
    }

    @Test
    void everyEndpointRefusesEveryBadCredentialAndAdmitsExactlyItsRoles() throws Exception {
        String proposal = "matrix-" + UUID.randomUUID().toString().substring(0, 8);
        Governance.submit(proposal, "loop-matrix", d -> { });
        Governance.awaitStatus(proposal, "PENDING_REVIEW");

        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("no token", null);
        bad.put("expired", expired());
        bad.put("another issuer", foreign());
        String alice = Keycloak.token("alice");
        String[] parts = alice.split("\\.");
        bad.put("tampered signature", parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse());
        bad.put("another audience", Keycloak.tokenFrom("other-audience-probe", "other-audience-probe-demo-secret", "alice"));
        // user -> the realm role it holds (paul and loop-agent are both proposers: a person and a machine)
        Map<String, String> users = new LinkedHashMap<>();
        users.put("loop-agent", PROPOSER);
        users.put("paul", PROPOSER);
        users.put("alice", OFFICER);
        users.put("rita", REGULATOR);
        users.put("adam", ADMIN);

        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Endpoint e : endpoints(proposal)) {
            for (Map.Entry<String, String> b : bad.entrySet()) {
                int status = call(e, b.getValue());
                checked++;
                if (status != 401) {
                    wrong.add(e + " with " + b.getKey() + ": " + status + " (expected 401)");
                }
            }
            for (Map.Entry<String, String> u : users.entrySet()) {
                int status = call(e, Keycloak.token(u.getKey()));
                checked++;
                boolean allowed = e.roles().contains(u.getValue());
                if (allowed && (status == 401 || status == 403)) {
                    wrong.add(e + " as " + u.getKey() + ": " + status + " (its role " + u.getValue() + " is allowed)");
                } else if (!allowed && status != 403) {
                    wrong.add(e + " as " + u.getKey() + ": " + status + " (expected 403)");
                }
            }
        }
        System.out.printf("security matrix: %d endpoint x credential checks%n", checked);
        assertThat(wrong).isEmpty();
        assertThat(Governance.get(proposal).jsonPath().getString("status")).as("nothing changed").isEqualTo("PENDING_REVIEW");
    }

    private static int call(Endpoint e, String token) throws IOException, InterruptedException {
        if (EVENT_STREAM.equals(e.contentType())) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + e.path()))
                    .header("Accept", EVENT_STREAM).timeout(Duration.ofSeconds(10));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode();
        }
        RequestSpecification r = given();
        if (token != null) {
            r = r.auth().oauth2(token);
        }
        if (e.body() != null) {
            r = r.contentType(e.contentType()).body(e.body().getBytes(StandardCharsets.UTF_8));
        }
        Response response = switch (e.method()) {
            case "GET" -> r.get(e.path());
            case "PUT" -> r.put(e.path());
            default -> r.post(e.path());
        };
        return response.statusCode();
    }

    /** A genuine token of the realm past its expiry (the probe client's tokens live 2 s). */
    private static String expired() throws Exception {
        String token = Keycloak.tokenFrom("token-expiry-probe", "token-expiry-probe-demo-secret", "alice");
        long exp = ProposalMessages.MAPPER.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).path("exp").asLong();
        while (System.currentTimeMillis() / 1000 <= exp + 1) {
            Thread.sleep(250);
        }
        return token;
    }

    /** A well-formed RS256 token naming another issuer, signed by a key Keycloak never saw, claiming every role. */
    private static String foreign() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"other\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"iss\":\"http://127.0.0.1:9999/realms/other\",\"sub\":\"mallory\",\"aud\":\"control-plane\","
                + "\"preferred_username\":\"alice\",\"exp\":" + (now + 300) + ",\"iat\":" + now + ","
                + "\"realm_access\":{\"roles\":[\"proposer\",\"safety-officer\",\"regulator\",\"admin\"]}}").getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(pair.getPrivate());
        rs256.update((header + "." + claims).getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + "." + b64.encodeToString(rs256.sign());
    }
}
