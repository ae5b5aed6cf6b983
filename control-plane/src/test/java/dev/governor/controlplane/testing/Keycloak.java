package dev.governor.controlplane.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Real access tokens from the Keycloak realm {@code rsi} that scripts/services starts (demo credentials). */
public final class Keycloak {

    public static final String ISSUER = System.getProperty("it.oidc.issuer", "http://127.0.0.1:8180/realms/rsi");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private Keycloak() {
    }

    /**
     * A user's token by password grant on client control-plane; the demo password is the user name.
     * Kept for four minutes: the realm's tokens live five.
     */
    public static String token(String user) {
        Cached cached = CACHE.compute(user, (u, old) -> old != null && old.until() > System.nanoTime() ? old
                : new Cached(u.equals("loop-agent")
                ? request(Map.of("grant_type", "client_credentials", "client_id", "loop-agent",
                "client_secret", "loop-agent-demo-secret"))
                : request(Map.of("grant_type", "password", "client_id", "control-plane",
                "client_secret", "control-plane-demo-secret", "username", u, "password", u)),
                System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(4)));
        return cached.token();
    }

    private record Cached(String token, long until) {
    }

    /** A fresh token by password grant on another client of the realm (the test probes), never cached. */
    public static String tokenFrom(String client, String secret, String user) {
        return request(Map.of("grant_type", "password", "client_id", client, "client_secret", secret,
                "username", user, "password", user));
    }

    private static String request(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(ISSUER + "/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Keycloak refused a token (" + response.statusCode() + "): " + response.body()
                        + " — is it running? scripts/services up keycloak");
            }
            JsonNode json = ProposalMessages.MAPPER.readTree(response.body());
            return json.get("access_token").asText();
        } catch (Exception e) {
            throw new IllegalStateException("Could not get a token from " + ISSUER + ": " + e.getMessage(), e);
        }
    }
}
