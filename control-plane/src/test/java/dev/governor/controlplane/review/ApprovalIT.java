package dev.governor.controlplane.review;

import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.TestLoops;
import dev.governor.controlplane.testing.PromotionRecords;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Human sign-off and promotion, against the real database, broker, policy engine and Keycloak. */
@QuarkusTest
class ApprovalIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    @Test
    void anElevatedProposalNeedsTwoDistinctOfficersAndIsPublishedOnce() {
        String id = "elevated-" + run;
        Governance.submit(id, "loop-elevated-" + run, 0.55);
        Response pending = Governance.awaitStatus(id, "PENDING_REVIEW");
        assertThat(pending.jsonPath().getString("review.tier")).isEqualTo("elevated");
        assertThat(pending.jsonPath().getInt("review.requiredApprovals")).isEqualTo(2);

        Governance.approve("alice", id).then().statusCode(200);
        Response once = Governance.get(id);
        assertThat(once.jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");
        assertThat(once.jsonPath().getInt("review.approvalsCounted")).isEqualTo(1);
        Response twice = Governance.approve("alice", id);
        twice.then().statusCode(409).contentType("application/problem+json");
        assertThat(twice.jsonPath().getString("code")).isEqualTo("already-approved");
        assertThat(Governance.get(id).jsonPath().getInt("review.approvalsCounted")).isEqualTo(1);

        Governance.approve("bob", id).then().statusCode(200);
        Response promoted = Governance.awaitStatus(id, "PROMOTED");
        assertThat(promoted.jsonPath().getList("review.approvals.approver", String.class))
                .hasSize(2).anyMatch(a -> a.startsWith("alice (")).anyMatch(a -> a.startsWith("bob ("));
        List<ConsumerRecord<String, byte[]>> published = awaitPublished(id);
        assertThat(published).hasSize(1);
        String message = PromotionRecords.statement(published.get(0)).path("predicate").toString();
        assertThat(message).contains("\"proposalId\":\"" + id + "\"")
                .contains("\"contentDigest\":\"" + pending.jsonPath().getString("contentDigest") + "\"")
                .contains("\"approved\":\"" + pending.jsonPath().getString("decision.decision_id") + "\"")
                .contains("\"policyRevision\"").contains("\"artifactSha256\"").contains("\"treeSize\"")
                .contains("alice (").contains("bob (");
        for (String type : List.of("approval.recorded", "approval.refused", "proposal.approved", "proposal.promoted")) {
            assertThat(Governance.count("select count(*) from audit_entry where event_type = ? and proposal_id = ?", type, id))
                    .as(type).isPositive();
        }
    }

    @Test
    void theReviewQueueListsPendingProposalsOldestFirstOrNewestFirstWithWhatAnOfficerDecidesOn() {
        String loop = "loop-queue-" + run;
        String first = "queue-" + run + "-a";
        String second = "queue-" + run + "-b";
        Governance.submit(first, loop, 0.55);
        Governance.awaitStatus(first, "PENDING_REVIEW");
        Governance.submit(second, loop, 0.55);
        Governance.awaitStatus(second, "PENDING_REVIEW");
        Governance.approve("alice", second).then().statusCode(200);

        Response queue = given().auth().oauth2(Keycloak.token("bob"))
                .get("/api/v1/proposals?status=PENDING_REVIEW&loopId={loop}", loop);
        queue.then().statusCode(200);
        assertThat(queue.jsonPath().getList("proposalId", String.class)).containsExactly(first, second);
        assertThat(queue.jsonPath().getList("review.tier", String.class)).containsOnly("elevated");
        assertThat(queue.jsonPath().getList("review.requiredApprovals", Integer.class)).containsOnly(2);
        assertThat(queue.jsonPath().getList("review.approvalsCounted", Integer.class)).containsExactly(0, 1);
        assertThat(queue.jsonPath().getString("[0].decision.breaches[0].level")).isEqualTo("alert");
        assertThat(queue.jsonPath().getString("[0].data.evaluations[0].baseline")).isNotNull();
        assertThat(queue.jsonPath().getString("[0].data.lineage[0].id")).isNotNull();
        assertThat(queue.jsonPath().getString("[0].data.artifact.inlineDiff")).contains("+++");

        // newest first on request (a long backlog must not hide what just arrived); anything else is refused
        Response newest = given().auth().oauth2(Keycloak.token("bob"))
                .get("/api/v1/proposals?status=PENDING_REVIEW&loopId={loop}&order=newest", loop);
        assertThat(newest.jsonPath().getList("proposalId", String.class)).containsExactly(second, first);
        given().auth().oauth2(Keycloak.token("bob")).get("/api/v1/proposals?order=random")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void separationOfDutiesIsEnforcedOnTheServerAndEveryRefusalIsAudited() {
        String id = "sod-" + run;
        // alice owns the loop: she may never approve its proposals (the registry names her by subject).
        String loop = "loop-sod-" + run;
        TestLoops.register(given().auth().oauth2(Keycloak.token("adam")), loop, List.of(Governance.subject("loop-agent")),
                List.of(Governance.subject("alice")));
        Governance.submit(id, loop, d -> { });
        Response p = Governance.awaitStatus(id, "PENDING_REVIEW");
        String digest = p.jsonPath().getString("contentDigest");
        String decision = p.jsonPath().getString("decision.decision_id");

        Response self = Governance.approve("alice", id);
        self.then().statusCode(403);
        assertThat(self.jsonPath().getString("code")).isEqualTo("loop-owner");
        // The same person under another display name is the same subject, and still an owner.
        Response renamed = given().auth().oauth2(Keycloak.tokenFrom("display-name-probe", "display-name-probe-demo-secret", "alice"))
                .contentType("application/json").body(Map.of("digest", digest, "decisionId", decision)).post("/api/v1/proposals/{id}/approvals", id);
        renamed.then().statusCode(403);
        assertThat(renamed.jsonPath().getString("code")).isEqualTo("loop-owner");
        Governance.approve("adam", id).then().statusCode(403);
        Governance.approve("rita", id).then().statusCode(403);
        Governance.approve("loop-agent", id).then().statusCode(403);
        given().contentType("application/json").body(Map.of("digest", digest, "decisionId", decision))
                .post("/api/v1/proposals/{id}/approvals", id).then().statusCode(401);

        Response staleDigest = Governance.approve("bob", id, "0".repeat(64), decision);
        staleDigest.then().statusCode(409);
        assertThat(staleDigest.jsonPath().getString("code")).isEqualTo("stale-approval");
        Governance.approve("bob", id, digest, UUID.randomUUID().toString()).then().statusCode(409);
        given().auth().oauth2(Keycloak.token("bob")).contentType("application/json").body("{}")
                .post("/api/v1/proposals/{id}/approvals", id).then().statusCode(400);
        Governance.approve("bob", "no-such-proposal-" + run, digest, decision).then().statusCode(404);
        assertThat(Governance.get(id).jsonPath().getInt("review.approvalsCounted")).isZero();
        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'approval.refused' and proposal_id = ?", id))
                .isGreaterThanOrEqualTo(4);

        // One rejection ends the review; an approval afterwards is refused.
        given().auth().oauth2(Keycloak.token("carol")).contentType("application/json").body(Map.of("reason", "unsafe retry loop"))
                .post("/api/v1/proposals/{id}/rejections", id).then().statusCode(200);
        Response late = Governance.approve("bob", id, digest, decision);
        late.then().statusCode(409);
        assertThat(late.jsonPath().getString("code")).isEqualTo("not-pending-review");
        assertThat(Governance.get(id).jsonPath().getString("status")).isEqualTo("REJECTED");
    }

    @Test
    void twoOfficersCompletingTheQuorumAtTheSameInstantPromoteOnce() throws Exception {
        String id = "concurrent-" + run;
        Governance.submit(id, "loop-concurrent-" + run, 0.55);
        Governance.awaitStatus(id, "PENDING_REVIEW");
        Governance.approve("alice", id).then().statusCode(200);
        Response p = Governance.get(id);
        String digest = p.jsonPath().getString("contentDigest");
        String decision = p.jsonPath().getString("decision.decision_id");
        Keycloak.token("bob");
        Keycloak.token("carol");
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = pool.invokeAll(List.<Callable<Integer>>of(
                    () -> { together.await(); return Governance.approve("bob", id, digest, decision).statusCode(); },
                    () -> { together.await(); return Governance.approve("carol", id, digest, decision).statusCode(); }));
            // One completes the quorum and promotes; the other finds the proposal promoted already.
            assertThat(List.of(results.get(0).get(), results.get(1).get())).containsExactlyInAnyOrder(200, 409);
        } finally {
            pool.shutdownNow();
        }
        Governance.awaitStatus(id, "PROMOTED");
        assertThat(Governance.count("select count(*) from promotion where proposal_id = ?", id)).isEqualTo(1);
        assertThat(awaitPublished(id)).hasSize(1);
    }

    /** Time is moved by rewriting the stored expiry, as the schema owner; the server's rules do the rest. */
    @Test
    void anExpiredApprovalNoLongerCountsAndTheSameOfficerMayApproveAgain() {
        String id = "expiry-" + run;
        Governance.submit(id, "loop-expiry-" + run, 0.55);
        Governance.awaitStatus(id, "PENDING_REVIEW");
        Governance.approve("alice", id).then().statusCode(200);
        assertThat(Governance.executeAsOwner("update approval set expires_at = now() - interval '1 second' where proposal_id = ?", id))
                .isEqualTo(1);
        Response lapsed = Governance.get(id);
        assertThat(lapsed.jsonPath().getInt("review.approvalsCounted")).isZero();
        assertThat(lapsed.jsonPath().getList("review.approvals.counts", Boolean.class)).containsExactly(false);
        Governance.approve("bob", id).then().statusCode(200);
        assertThat(Governance.get(id).jsonPath().getString("status")).isEqualTo("PENDING_REVIEW");
        Governance.approve("alice", id).then().statusCode(200);
        Governance.awaitStatus(id, "PROMOTED");
        assertThat(awaitPublished(id)).hasSize(1);
    }

    @Test
    void aReviewLeftOpenPastItsTimeExpiresAndCanNoLongerBeApproved() {
        String id = "stale-review-" + run;
        Governance.submit(id, "loop-stale-review-" + run, 0.2);
        Response p = Governance.awaitStatus(id, "PENDING_REVIEW");
        assertThat(Governance.executeAsOwner("update proposal set received_at = now() - interval '8 days' where proposal_id = ?", id))
                .isEqualTo(1);
        Governance.awaitStatus(id, "EXPIRED"); // the sweep runs every 30 s
        Governance.approve("alice", id, p.jsonPath().getString("contentDigest"), p.jsonPath().getString("decision.decision_id"))
                .then().statusCode(409);
        assertThat(Governance.count("select count(*) from audit_entry where event_type = 'proposal.expired' and proposal_id = ?", id))
                .isEqualTo(1);
    }

    /**
     * A crash after the broker committed the message but before the outbox row was marked: the
     * relay must find the message on the topic and not send it again, even when the outbox also
     * holds marks of an earlier incarnation of the topic (deleted and created again) at offsets
     * past the unmarked message.
     */
    @Test
    void aPromotionPublishedButNotMarkedIsNotSentAgain() {
        String id = "unmarked-" + run;
        String older = "old-topic-mark-" + run;
        for (String p : List.of(older, id)) {
            Governance.submit(p, "loop-" + p, 0.2);
            Governance.awaitStatus(p, "PENDING_REVIEW");
            Governance.approve("alice", p).then().statusCode(200);
            Governance.awaitStatus(p, "PROMOTED");
            assertThat(awaitPublished(p)).hasSize(1);
        }
        long offset = Governance.count("select kafka_offset from promotion_outbox where proposal_id = ?", id);
        long partition = Governance.count("select kafka_partition from promotion_outbox where proposal_id = ?", id);
        // A mark left by a former topic of the same name: same partition, an offset after the unmarked one.
        assertThat(Governance.executeAsOwner("update promotion_outbox set kafka_topic_id = 'a-deleted-topic', kafka_partition = "
                + partition + ", kafka_offset = " + (offset + 1) + " where proposal_id = ?", older)).isEqualTo(1);
        // Undo the mark, as if the process died right after the broker's acknowledgement.
        assertThat(Governance.executeAsOwner("update promotion_outbox set published_at = null, kafka_partition = null, "
                + "kafka_offset = null where proposal_id = ?", id)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Governance.count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", id) == 1);
        assertThat(Governance.count("select kafka_offset from promotion_outbox where proposal_id = ?", id)).isEqualTo(offset);
        assertThat(Governance.committedWithKey("rsi.promotions", id)).hasSize(1);
    }

    private static List<ConsumerRecord<String, byte[]>> awaitPublished(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Governance.count("select count(*) from promotion_outbox where proposal_id = ? and published_at is not null", id) == 1);
        return Governance.committedWithKey("rsi.promotions", id);
    }
}
