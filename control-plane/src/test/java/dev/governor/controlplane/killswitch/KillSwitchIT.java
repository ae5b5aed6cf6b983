package dev.governor.controlplane.killswitch;

import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.TestLoops;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import dev.governor.killswitch.guard.GuardStatus;
import dev.governor.killswitch.guard.KillSwitchGuard;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The kill switch through the API, against the real database, broker and Keycloak. */
@QuarkusTest
class KillSwitchIT {

    @TestHTTPResource("/api/v1/killswitch/events")
    URL events;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    @AfterEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    @Test
    void everyRoleAndNoneGetsWhatArchitectureSection5Allows() {
        for (String path : List.of("/api/v1/killswitch", "/api/v1/killswitch/verifier-key")) {
            given().get(path).then().statusCode(401);
            for (String user : List.of("loop-agent", "alice", "rita", "adam")) {
                given().auth().oauth2(Keycloak.token(user)).get(path).then().statusCode(200);
            }
        }
        given().contentType("application/json").body("{\"reason\":\"x\"}").post("/api/v1/killswitch/pause").then().statusCode(401);
        given().contentType("application/json").body("{\"reason\":\"x\"}").post("/api/v1/killswitch/resume").then().statusCode(401);
        for (String user : List.of("loop-agent", "rita")) {
            Governance.pause(user, "not mine to pause").then().statusCode(403);
            Governance.resume(user, "not mine to resume").then().statusCode(403);
        }
        // An admin may pause but never resume.
        Response byAdmin = Governance.pause("adam", "admin pause " + run);
        byAdmin.then().statusCode(200);
        assertThat(byAdmin.jsonPath().getString("state")).isEqualTo("PAUSED");
        Governance.resume("adam", "admin resume").then().statusCode(403);
        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'access.denied' and actor like 'adam%'"))
                .isPositive();
        Governance.pause("alice", "").then().statusCode(400);
    }

    @Test
    void oneOfficerPausesAndOnlyTwoDifferentOfficersResume() {
        long before = given().auth().oauth2(Keycloak.token("alice")).get("/api/v1/killswitch").jsonPath().getLong("epoch");
        Response paused = Governance.pause("alice", "evaluator drift " + run);
        paused.then().statusCode(200);
        assertThat(paused.jsonPath().getString("state")).isEqualTo("PAUSED");
        assertThat(paused.jsonPath().getLong("epoch")).isEqualTo(before + 1);
        assertThat(paused.jsonPath().getString("actor")).startsWith("alice (");

        Response first = Governance.resume("alice", "false alarm");
        first.then().statusCode(202);
        assertThat(first.jsonPath().getString("state")).isEqualTo("PAUSED");
        assertThat(first.jsonPath().getString("message")).contains("second safety-officer");
        assertThat(first.jsonPath().getString("pendingResume.officer")).startsWith("alice (");

        Response again = Governance.resume("alice", "really, a false alarm");
        again.then().statusCode(409).contentType("application/problem+json");
        assertThat(again.jsonPath().getString("code")).isEqualTo("killswitch-same-officer");
        assertThat(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/killswitch").jsonPath().getString("state"))
                .isEqualTo("PAUSED");

        Response second = Governance.resume("bob", "agreed");
        second.then().statusCode(200);
        assertThat(second.jsonPath().getString("state")).isEqualTo("RUNNING");
        assertThat(second.jsonPath().getLong("epoch")).isEqualTo(before + 3);
        for (String type : List.of("killswitch.paused", "killswitch.resume-requested", "killswitch.resumed", "killswitch.refused")) {
            assertThat(Governance.count("select count(*) from audit_entry where event_type = ?", type)).as(type).isPositive();
        }
        assertThat(Governance.count("select count(*) from kill_switch_history where epoch between ? and ?", before + 1, before + 3))
                .isEqualTo(3);
        Governance.resume("carol", "nothing to resume").then().statusCode(409);
    }

    @Test
    void aGuardFollowingRsiControlWithThePublishedKeySeesThePauseAndTheResume() {
        String key = given().auth().oauth2(Keycloak.token("loop-agent")).get("/api/v1/killswitch/verifier-key").asString().strip();
        Ed25519StateVerifier verifier = new Ed25519StateVerifier(Ed25519Keys.publicKey(Base64.getDecoder().decode(key)));
        try (KillSwitchGuard guard = KillSwitchGuard.follow(KafkaTestClients.BOOTSTRAP, KafkaTestClients.LOOP.clientProperties(), verifier)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> guard.status().verdict() == GuardStatus.Verdict.RUNNING);
            Governance.pause("carol", "guard test " + run).then().statusCode(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> guard.status().verdict() == GuardStatus.Verdict.HALTED);
            assertThat(guard.status().lastState().reason()).isEqualTo("guard test " + run);
            Governance.resume("alice", "ok").then().statusCode(202);
            assertThat(guard.status().verdict()).isEqualTo(GuardStatus.Verdict.HALTED);
            Governance.resume("bob", "ok").then().statusCode(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> guard.status().verdict() == GuardStatus.Verdict.RUNNING);
        }
    }

    @Test
    void serverSentEventsCarryTheSignedStateAndItsChanges() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(events.toURI()).header("Authorization", "Bearer " + Keycloak.token("rita"))
                .header("Accept", "text/event-stream").build();
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> data = new CopyOnWriteArrayList<>();
        CountDownLatch paused = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data:")) {
                        data.add(line);
                        if (line.contains("\"PAUSED\"") && line.contains("sse " + run)) {
                            paused.countDown();
                            return;
                        }
                    }
                }
            } catch (java.io.IOException ignored) {
                // closed by the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !data.isEmpty());
        assertThat(data.get(0)).contains("\"signature\"").contains("\"state\"");
        Governance.pause("alice", "sse " + run).then().statusCode(200);
        assertThat(paused.await(10, TimeUnit.SECONDS)).as("the pause as an event").isTrue();
        response.body().close();
    }

    @Test
    void whilePausedProposalsAreHeldAndDecidedAgainAfterTheResume() {
        Governance.pause("alice", "hold test " + run).then().statusCode(200);
        String id = "held-" + run;
        Governance.submit(id, "loop-held-" + run, 0.2);
        Response held = Governance.awaitStatus(id, "RECEIVED");
        assertThat(held.jsonPath().getBoolean("receivedWhilePaused")).isTrue();
        assertThat(held.jsonPath().getList("decision.result.violations.rule", String.class)).contains("kill_switch");
        String heldDecision = held.jsonPath().getString("decision.decision_id");

        Governance.resume("alice", "done").then().statusCode(202);
        Governance.resume("bob", "done").then().statusCode(200);
        Response after = Governance.awaitStatus(id, "PENDING_REVIEW");
        assertThat(after.jsonPath().getString("decision.decision_id")).isNotEqualTo(heldDecision);
        assertThat(after.jsonPath().getString("decision.result.outcome")).isEqualTo("REVIEW");
        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'proposal.redecided' and proposal_id = ?", id))
                .isEqualTo(1);
    }

    /** Architecture §5: the rate-of-improvement limit trips the switch, as a critical breach does. */
    @Test
    void aRateOfImprovementAboveTheLimitTripsTheSwitchWithTheProposalAsItsCause() {
        String loop = "loop-rate-" + run;
        Governance.submit("rate-base-" + run, loop, 0.2);
        Governance.awaitStatus("rate-base-" + run, "PENDING_REVIEW");
        assertThat(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/killswitch").jsonPath().getString("state"))
                .isEqualTo("RUNNING");
        String jump = "rate-jump-" + run;
        Governance.submit(jump, loop, 0.45); // +0.25 within the window, limit 0.1; below the alert threshold
        Response decided = Governance.awaitStatus(jump, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getString("decision.result.tier")).isEqualTo("critical");
        assertThat(decided.jsonPath().getBoolean("decision.result.haltLoop")).isTrue();
        Response ks = given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/killswitch");
        assertThat(ks.jsonPath().getString("state")).isEqualTo("TRIPPED");
        assertThat(ks.jsonPath().getString("cause")).isEqualTo(jump);
        assertThat(ks.jsonPath().getString("reason")).contains("rate of improvement");
    }

    /**
     * When the audit log refuses a write, nothing it should record may happen: the instance halts
     * at once, and the switch trips (cause audit-log) as soon as the trip itself can be audited.
     */
    @Test
    void aFailureToWriteTheAuditLogHaltsAtOnceAndTripsTheSwitchWhenTheLogTakesWritesAgain() {
        String id = "audit-fail-" + run;
        String rita = Keycloak.token("rita");
        TestLoops.register("loop-audit-fail-" + run); // registering is audited too: before the log refuses writes
        try {
            Governance.executeAsOwner("revoke insert on audit_entry from governor_app");
            Governance.submit(id, "loop-audit-fail-" + run, 0.2);
            await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(rita).get("/api/v1/killswitch")
                    .jsonPath().getString("localHalt") != null);
            assertThat(given().auth().oauth2(rita).get("/api/v1/killswitch").jsonPath().getString("localHalt"))
                    .contains("audit log could not be written");
            given().auth().oauth2(rita).get("/api/v1/proposals/{id}", id).then().statusCode(404);
        } finally {
            Governance.executeAsOwner("grant insert on audit_entry to governor_app");
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "TRIPPED".equals(given().auth().oauth2(rita).get("/api/v1/killswitch").jsonPath().getString("state")));
        Response ks = given().auth().oauth2(rita).get("/api/v1/killswitch");
        assertThat(ks.jsonPath().getString("cause")).isEqualTo("audit-log");
        assertThat(ks.jsonPath().getString("localHalt")).isNull();
        // The batch that could not be audited is decided once the log is back, and held while tripped.
        assertThat(Governance.awaitStatus(id, "RECEIVED").jsonPath().getBoolean("receivedWhilePaused")).isTrue();
    }

    /**
     * The done-means of the issue: a fully approved proposal becomes BLOCKED while paused, one
     * officer cannot resume, and after the second it is promoted after a fresh policy check.
     */
    @Test
    void aFullyApprovedProposalIsBlockedWhilePausedAndPromotedOnceAfterTheTwoOfficerResume() {
        String id = "blocked-" + run;
        Governance.submit(id, "loop-blocked-" + run, 0.2);
        Governance.awaitStatus(id, "PENDING_REVIEW");
        Governance.pause("alice", "block test " + run).then().statusCode(200);
        Governance.approve("carol", id).then().statusCode(200);
        assertThat(Governance.get(id).jsonPath().getString("status")).isEqualTo("BLOCKED");
        Governance.resume("alice", "resume for the block test").then().statusCode(202);
        assertThat(Governance.get(id).jsonPath().getString("status")).isEqualTo("BLOCKED");
        Governance.resume("bob", "agreed").then().statusCode(200);
        Response promoted = Governance.awaitStatus(id, "PROMOTED");
        assertThat(promoted.jsonPath().getString("review.promotion.recheckDecisionId")).isNotBlank();
        await().atMost(Duration.ofSeconds(30)).until(() -> !Governance.committedWithKey("rsi.promotions", id).isEmpty());
        assertThat(Governance.committedWithKey("rsi.promotions", id)).hasSize(1);
    }

    /**
     * Races pauses against final approvals: no promotion may commit after the pause commits. The
     * audit log is appended in commit order, so a promotion entry after the pause entry would be one.
     */
    @Test
    void noPromotionCommitsAfterAPauseCommits() throws Exception {
        int rounds = 5;
        int perRound = 12;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < rounds; round++) {
                String prefix = "race-" + run + "-" + round + "-";
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < perRound; i++) {
                    ids.add(prefix + i);
                    Governance.submit(prefix + i, "loop-" + prefix + i, 0.2);
                }
                for (String id : ids) {
                    Governance.awaitStatus(id, "PENDING_REVIEW");
                }
                List<Future<Integer>> approvals = new ArrayList<>();
                for (String id : ids) {
                    approvals.add(pool.submit(() -> Governance.approve(ThreadLocalRandom.current().nextBoolean() ? "alice" : "bob", id)
                            .statusCode()));
                }
                // Pause while approvals are in flight: after the first one or two promotions commit.
                int first = 1 + ThreadLocalRandom.current().nextInt(2);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2)).until(() -> Governance.count(
                        "select count(*) from proposal where proposal_id like ? and status = 'PROMOTED'", prefix + "%") >= first);
                Governance.pause("carol", "race " + run + " round " + round).then().statusCode(200);
                for (Future<Integer> f : approvals) {
                    assertThat(f.get()).isEqualTo(200);
                }
                long pauseIndex = Governance.count("select max(entry_index) from audit_entry where event_type = 'killswitch.paused'");
                long after = Governance.count("select count(*) from audit_entry where event_type = 'proposal.promoted' "
                        + "and proposal_id like ? and entry_index > ?", prefix + "%", pauseIndex);
                assertThat(after).as("promotions committed after the pause, round " + round).isZero();
                long promoted = Governance.count("select count(*) from proposal where proposal_id like ? and status = 'PROMOTED'",
                        prefix + "%");
                long blocked = Governance.count("select count(*) from proposal where proposal_id like ? and status = 'BLOCKED'",
                        prefix + "%");
                assertThat(promoted + blocked).isEqualTo(perRound);
                System.out.printf("race round %d: %d promoted before the pause, %d blocked, 0 after%n", round, promoted, blocked);
                KillSwitchTesting.ensureRunning();
                for (String id : ids) {
                    Governance.awaitStatus(id, "PROMOTED");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
