package dev.governor.controlplane.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.dsse.Ed25519Signer;
import dev.governor.controlplane.loop.Loop;
import dev.governor.controlplane.loop.LoopKey;
import dev.governor.controlplane.loop.LoopRegistry;
import dev.governor.controlplane.loop.LoopSnapshot;
import io.restassured.specification.RequestSpecification;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.restassured.RestAssured.given;

/**
 * Registered loops for tests: each test loop id has its own Ed25519 key, derived from the id
 * (demo only), registered through the real API by an admin and used to sign its proposals.
 */
public final class TestLoops {

    private static final Set<String> REGISTERED = ConcurrentHashMap.newKeySet();
    /** A key Governor's registry never sees, standing for the API's signing key in unit tests. */
    public static final Ed25519Signer UNIT_TEST_API_KEY = signer("unit-test-api-key");

    private TestLoops() {
    }

    /** The test key of a loop (its seed is SHA-256 of the loop id: for tests only). */
    public static Ed25519Signer signer(String loopId) {
        try {
            return new Ed25519Signer(MessageDigest.getInstance("SHA-256").digest(("governor-test-loop-key:" + loopId).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers the loop (once per test JVM) with its test key, loop-agent as submitter and no owners; as the Keycloak admin adam. */
    public static void register(String loopId) {
        if (REGISTERED.contains(loopId)) {
            return;
        }
        register(given().auth().oauth2(Keycloak.token("adam")), loopId, List.of(Governance.subject("loop-agent")), List.of());
    }

    /** Registers the loop through {@code admin} (a request already authenticated as an admin); 409 means it already is. */
    public static void register(RequestSpecification admin, String loopId, List<String> submitters, List<String> owners) {
        Map<String, Object> body = new HashMap<>();
        body.put("loopId", loopId);
        body.put("sourceSystem", "dgm");
        body.put("submitters", submitters);
        body.put("owners", owners);
        body.put("keys", List.of(Map.of("publicKey", signer(loopId).publicKeyBase64())));
        io.restassured.response.Response created = admin.contentType("application/json").body(body).post("/api/v1/loops");
        int status = created.statusCode();
        if (status == 409) {
            // Registered by an earlier run on this database: subjects change whenever Keycloak re-imports
            // the realm, so the submitters and owners are set again to this run's.
            status = admin.contentType("application/json").body(Map.of("submitters", submitters, "owners", owners))
                    .put("/api/v1/loops/{id}", loopId).statusCode();
        }
        if (status != 201 && status != 200) {
            throw new IllegalStateException("Registering test loop " + loopId + " answered " + status);
        }
        REGISTERED.add(loopId);
    }

    /**
     * Registers the loop by writing the registry's rows directly, as the application role, for
     * tests whose Governor runs in another process and is not up yet. The API path is what
     * {@link #register(String)} and LoopRegistryIT take.
     */
    public static void registerInDatabase(String loopId) {
        registerInDatabase(Governance.DB_URL, loopId);
    }

    /** The same, in the database (and schema) of {@code jdbcUrl}. */
    public static void registerInDatabase(String jdbcUrl, String loopId) {
        Ed25519Signer s = signer(loopId);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, "governor_app", "governor_app")) {
            c.setAutoCommit(false);
            try (java.sql.PreparedStatement loop = c.prepareStatement("""
                    insert into loop_registration (loop_id, source_system, status, registered_by, registered_at, updated_by, updated_at)
                    values (?, 'dgm', 'ACTIVE', 'test-setup', now(), 'test-setup', now()) on conflict do nothing""");
                 java.sql.PreparedStatement key = c.prepareStatement("""
                    insert into loop_key (key_id, loop_id, public_key, not_before, added_by, added_at)
                    values (?, ?, ?, now() - interval '1 hour', 'test-setup', now()) on conflict do nothing""")) {
                loop.setString(1, loopId);
                loop.executeUpdate();
                key.setString(1, s.keyId());
                key.setString(2, loopId);
                key.setString(3, s.publicKeyBase64());
                key.executeUpdate();
            }
            c.commit();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Could not register test loop " + loopId + ": " + e.getMessage(), e);
        }
        REGISTERED.add(loopId);
    }

    /** A registry as of now holding these loops with their test keys, for parser unit tests. */
    public static LoopSnapshot snapshot(String... loopIds) {
        Map<String, Loop> loops = new HashMap<>();
        OffsetDateTime t = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        for (String id : loopIds) {
            Ed25519Signer s = signer(id);
            loops.put(id, new Loop(id, "dgm", null, List.of(), List.of("loop-agent"), Loop.Status.ACTIVE, "adam", t, "adam", t, 1,
                    List.of(new LoopKey(s.keyId(), id, s.publicKeyBase64(), t, null, null, "adam", t))));
        }
        return new LoopSnapshot(1, loops, UNIT_TEST_API_KEY.verifier());
    }

    /** The payload bytes a loop signs: the proposal's data as JSON text. */
    public static byte[] payload(ObjectNode data) {
        return data.toString().getBytes(StandardCharsets.UTF_8);
    }
}
