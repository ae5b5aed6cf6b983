package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.policies.TarGz;
import dev.governor.policies.WasmPolicyEngine;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Putting a policy bundle into force at run time: an admin uploads a bundle (opa build -t wasm
 * layout), it must hold the policy floor, and activating it is audited; decisions from then on
 * name the new revision and follow its thresholds. Restores the shipped revision afterwards.
 */
@QuarkusTest
class PolicyActivationIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private String shipped;

    @BeforeEach
    void before() {
        KillSwitchTesting.ensureRunning();
        shipped = active().jsonPath().getString("activation.deployedRevision");
        assertThat(shipped).isNotNull();
        // The database outlives test runs: start from the shipped revision even if a run died mid-test.
        activate(shipped, "test set-up: the shipped revision").then().statusCode(200);
    }

    @AfterEach
    void restoreTheShippedRevision() {
        activate(shipped, "test clean-up: back to the shipped revision").then().statusCode(200);
        assertThat(active().jsonPath().getString("revision")).isEqualTo(shipped);
    }

    @Test
    void aTighterBundleIsUploadedActivatedAndDecidesFromThenOnWithItsRevisionNamed() throws IOException {
        // The shipped policy with ai_rnd's alert level lowered from 0.5 to 0.3: a score of 0.4 now needs two officers.
        byte[] tighter = bundle(data -> ((ObjectNode) data.at("/governor/thresholds/ai_rnd")).put("alert", 0.3));
        String revision = revisionOf(tighter);

        Response uploaded = upload("adam", tighter);
        uploaded.then().statusCode(201);
        assertThat(uploaded.jsonPath().getString("revision")).isEqualTo(revision);
        assertThat(uploaded.jsonPath().getString("bundleSha256")).isEqualTo(CanonicalJson.sha256Hex(tighter));
        upload("adam", tighter).then().statusCode(200); // the same bundle again: nothing new
        // Other content under the same revision is refused: a revision names one bundle forever.
        byte[] impostor = bundle(data -> ((ObjectNode) data.at("/governor/thresholds/ai_rnd")).put("alert", 0.35), revision);
        Response taken = upload("adam", impostor);
        taken.then().statusCode(409);
        assertThat(taken.jsonPath().getString("code")).isEqualTo("revision-taken");
        assertThat(active().jsonPath().getString("revision")).as("uploading does not put it into force").isNotEqualTo(revision);

        String before = "before-" + run;
        Governance.submit(before, "loop-activation-" + run, 0.4);
        assertThat(Governance.awaitStatus(before, "PENDING_REVIEW").jsonPath().getString("review.tier")).isEqualTo("standard");

        Response activated = activate(revision, "lower the AI R&D alert level after the incident review");
        activated.then().statusCode(200);
        assertThat(activated.jsonPath().getString("revision")).isEqualTo(revision);
        assertThat(activated.jsonPath().getString("activation.source")).isEqualTo("admin");
        assertThat(activated.jsonPath().getString("activation.activatedBy")).startsWith("adam (");
        assertThat(activated.jsonPath().getDouble("thresholds.ai_rnd.alert")).isEqualTo(0.3);

        String after = "after-" + run;
        Governance.submit(after, "loop-activation-2-" + run, 0.4);
        Response decided = Governance.awaitStatus(after, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getString("review.tier")).isEqualTo("elevated");
        assertThat(decided.jsonPath().getString("decision.bundles.rsi.revision")).isEqualTo(revision);
        assertThat(Governance.get(before).jsonPath().getString("decision.bundles.rsi.revision")).isEqualTo(shipped);

        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'policy.bundle-uploaded' "
                + "and policy_revision = ?", revision)).isEqualTo(1);
        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'policy.activated' and policy_revision = ? "
                + "and convert_from(leaf, 'UTF8')::jsonb #>> '{data,how}' = 'admin' and actor like 'adam (%'", revision))
                .isEqualTo(1);
        assertThat(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/policies/bundles").jsonPath()
                .getList("items.findAll { it.revision == '" + revision + "' }.source", String.class)).containsExactly("upload");
    }

    @Test
    void aBundleThatLetsThroughWhatEveryBundleMustDenyIsRefusedAndTheRefusalAudited() throws IOException {
        // Critical capability levels moved out of reach: a critical breach would no longer deny nor halt the loop.
        byte[] looser = bundle(data -> data.at("/governor/thresholds").forEach(t -> ((ObjectNode) t).put("critical", 1.5)));
        String revision = revisionOf(looser);

        Response refused = upload("adam", looser);
        refused.then().statusCode(422).contentType("application/problem+json");
        assertThat(refused.jsonPath().getString("code")).isEqualTo("below-policy-floor");
        assertThat(refused.jsonPath().getString("detail")).contains("ai-rnd-at-critical", "cbrn-critical");
        assertThat(Governance.count("select count(*) from policy_bundle where revision = ?", revision)).isZero();
        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'policy.bundle-refused' "
                + "and policy_revision = ?", revision)).isEqualTo(1);
        activate(revision, "try it anyway").then().statusCode(404);
    }

    @Test
    void badRequestsAreRefusedWithTheirReasonAndOnlyAnAdminMayChangeThePolicy() throws IOException {
        upload("adam", "not a bundle".getBytes(StandardCharsets.UTF_8)).then().statusCode(422);
        activate("abc", "why not").then().statusCode(400);
        activate(shipped, " ").then().statusCode(400);
        byte[] tighter = bundle(data -> ((ObjectNode) data.at("/governor/thresholds/cyber")).put("alert", 0.45));
        for (String user : new String[]{"alice", "rita", "paul"}) {
            upload(user, tighter).then().statusCode(403);
            given().auth().oauth2(Keycloak.token(user)).contentType("application/json")
                    .body(Map.of("revision", shipped, "reason", "not mine to change")).post("/api/v1/policies/active")
                    .then().statusCode(403);
        }
        assertThat(Governance.count("select count(*) from policy_bundle where revision = ?", revisionOf(tighter))).isZero();
    }

    /**
     * Fail closed: while the revision in force cannot be used on this instance (here a stored
     * bundle whose wasm does not load), proposals are held, not decided with another revision;
     * once a usable revision is in force again they are decided.
     */
    @Test
    void whileTheRevisionInForceCannotBeUsedHereProposalsAreHeldThenDecided() {
        String broken = CanonicalJson.sha256Hex(("broken-" + run).getBytes(StandardCharsets.UTF_8));
        assertThat(Governance.executeAsOwner("insert into policy_bundle (revision, source, wasm, data, bundle_sha256, added_by, "
                + "added_at) values (?, 'upload', decode('0061736d', 'hex'), '{}'::jsonb, ?, 'test', now())", broken, broken))
                .isEqualTo(1);
        assertThat(Governance.executeAsOwner("update policy_active set revision = ? where id = 1", broken)).isEqualTo(1);

        String id = "held-by-policy-" + run;
        Governance.submit(id, "loop-held-policy-" + run, 0.2);
        Response held = Governance.awaitStatus(id, "RECEIVED");
        assertThat(held.jsonPath().getBoolean("receivedWhilePaused")).isTrue();

        activate(shipped, "a usable revision again").then().statusCode(200);
        Response decided = Governance.awaitStatus(id, "PENDING_REVIEW"); // the held-proposal sweep runs every 30 s
        assertThat(decided.jsonPath().getString("decision.bundles.rsi.revision")).isEqualTo(shipped);
    }

    private static Response active() {
        return given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/policies/active");
    }

    private static Response activate(String revision, String reason) {
        return given().auth().oauth2(Keycloak.token("adam")).contentType("application/json")
                .body(Map.of("revision", revision, "reason", reason)).post("/api/v1/policies/active");
    }

    private static Response upload(String user, byte[] archive) {
        return given().auth().oauth2(Keycloak.token(user)).contentType("application/gzip").body(archive).post("/api/v1/policies/bundles");
    }

    /**
     * The shipped policy.wasm with a changed data document, laid out as opa build -t wasm lays out a
     * bundle (the wasm does not embed data). The revision is unique per test run.
     */
    private byte[] bundle(Consumer<JsonNode> change) throws IOException {
        return bundle(change, null);
    }

    private byte[] bundle(Consumer<JsonNode> change, String forcedRevision) throws IOException {
        JsonNode data = ProposalMessages.MAPPER.readTree(shippedFile("data.json"));
        change.accept(data);
        String revision = forcedRevision != null ? forcedRevision : CanonicalJson.sha256Hex((run + data).getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("/data.json", data.toString().getBytes(StandardCharsets.UTF_8));
        files.put("/policy.wasm", shippedFile("policy.wasm"));
        files.put("/.manifest", ("{\"revision\":\"" + revision + "\",\"roots\":[\"\"]}").getBytes(StandardCharsets.UTF_8));
        return TarGz.write(files);
    }

    private static String revisionOf(byte[] bundle) throws IOException {
        return ProposalMessages.MAPPER.readTree(TarGz.read(bundle).get(".manifest")).path("revision").asText();
    }

    private static byte[] shippedFile(String name) throws IOException {
        try (InputStream in = PolicyActivationIT.class.getClassLoader().getResourceAsStream(WasmPolicyEngine.RESOURCE_DIR + name)) {
            return in.readAllBytes();
        }
    }
}
