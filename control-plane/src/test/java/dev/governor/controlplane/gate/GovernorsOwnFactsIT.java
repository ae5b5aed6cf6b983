package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.controlplane.testing.KillSwitchTesting;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate decides on what Governor knows, not on what the loop says about itself: lineage from
 * the parentId chain Governor received, capability history from proposals it did not deny,
 * tampering attempts it counted. Through real Kafka, PostgreSQL and the policy engine.
 */
@QuarkusTest
class GovernorsOwnFactsIT {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    @AfterEach
    void running() {
        KillSwitchTesting.ensureRunning();
    }

    /** A root proposal (no parent), or a child of {@code parent}, listing {@code ancestors} as the loop's lineage. */
    private static Consumer<ObjectNode> lineage(String parent, String... ancestors) {
        return d -> {
            if (parent == null) {
                d.putNull("parentId");
            } else {
                d.put("parentId", parent);
            }
            var list = d.putArray("lineage");
            for (String a : ancestors) {
                list.addObject().put("id", a).put("sha256", "a".repeat(64));
            }
        };
    }

    @Test
    void theSeventhUnpromotedGenerationIsDeniedThoughTheLoopSendsAnEmptyLineage() {
        String loop = "loop-lineage-" + run;
        String[] ids = new String[7];
        for (int i = 0; i < 7; i++) {
            ids[i] = "gen" + i + "-" + run;
        }
        // Six honest generations, sent in one go (the chain is resolved inside the batch), then a
        // seventh that claims no ancestry at all.
        for (int i = 0; i < 6; i++) {
            String[] ancestors = new String[i];
            for (int j = 0; j < i; j++) {
                ancestors[j] = ids[i - 1 - j];
            }
            Governance.submit(ids[i], loop, lineage(i == 0 ? null : ids[i - 1], ancestors));
        }
        Governance.submit(ids[6], loop, lineage(ids[5]));

        Response atLimit = Governance.awaitStatus(ids[5], "PENDING_REVIEW");
        assertThat(atLimit.jsonPath().getInt("decision.result.evidence.generationsSinceLastPromoted")).isEqualTo(5);
        Response seventh = Governance.awaitStatus(ids[6], "REJECTED_BY_POLICY");
        assertThat(seventh.jsonPath().getList("decision.result.violations.rule", String.class))
                .containsExactly("lineage_mismatch", "unreviewed_lineage");
        assertThat(seventh.jsonPath().getInt("decision.result.evidence.generationsSinceLastPromoted")).isEqualTo(6);
        assertThat(seventh.jsonPath().getInt("decision.input.lineage.generationsSinceLastPromoted")).isEqualTo(6);
    }

    @Test
    void aParentGovernorNeverReceivedCountsAsOneUnreviewedGenerationOfUnknownAncestry() {
        String id = "orphan-" + run;
        Governance.submit(id, "loop-orphan-" + run, lineage("never-received-" + run));

        Response decided = Governance.awaitStatus(id, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getInt("decision.result.evidence.generationsSinceLastPromoted")).isEqualTo(1);
        assertThat(decided.jsonPath().getBoolean("decision.result.evidence.unknownAncestry")).isTrue();
        assertThat(decided.jsonPath().getBoolean("decision.input.lineage.unknownAncestry")).isTrue();
    }

    @Test
    void theScoresOfADeniedProposalDoNotFeedTheRateOfImprovementHistory() {
        String loop = "loop-denied-history-" + run;
        String denied = "low-denied-" + run;
        // Denied (evaluator not on the allow-list) with a low score that would make the next look like a jump.
        Governance.submit(denied, loop, d -> {
            ((ObjectNode) d.get("evaluations").get(0)).put("evaluatorDigest", "sha256:" + "0".repeat(64));
            ((ObjectNode) d.get("capabilityEvals").get(0)).put("score", 0.02);
        });
        Governance.awaitStatus(denied, "REJECTED_BY_POLICY");
        String next = "after-denied-" + run;
        Governance.submit(next, loop, 0.2);

        Response decided = Governance.awaitStatus(next, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getList("decision.input.lineage.capabilityHistory")).isEmpty();
        assertThat(decided.jsonPath().getList("decision.result.violations.rule", String.class)).doesNotContain("rate_of_improvement");
        assertThat(Governance.count("select count(*) from capability_observation where proposal_id = ?", denied)).isZero();
        assertThat(Governance.count("select count(*) from capability_observation where proposal_id = ?", next)).isEqualTo(1);
    }

    @Test
    void theThirdTamperingAttemptWithinTheHourTripsTheKillSwitchNamingTheAttempts() {
        String loop = "loop-tamper-" + run;
        // Declares, beside the file its diff changes, a file of the evaluation harness.
        Consumer<ObjectNode> tamper = d -> d.putArray("touchedPaths").add("src/agent/tools.py").add("evaluation/harness.py");
        for (int i = 1; i <= 2; i++) {
            Governance.submit("tamper" + i + "-" + run, loop, tamper);
            Response denied = Governance.awaitStatus("tamper" + i + "-" + run, "REJECTED_BY_POLICY");
            assertThat(denied.jsonPath().getBoolean("decision.result.haltLoop")).isFalse();
            assertThat(denied.jsonPath().getBoolean("decision.result.tampering")).isTrue();
        }
        assertThat(given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/killswitch").jsonPath().getString("state"))
                .isEqualTo("RUNNING");

        String third = "tamper3-" + run;
        Governance.submit(third, loop, tamper);

        Response decided = Governance.awaitStatus(third, "REJECTED_BY_POLICY");
        assertThat(decided.jsonPath().getBoolean("decision.result.haltLoop")).isTrue();
        assertThat(decided.jsonPath().getList("decision.result.violations.rule", String.class))
                .containsExactly("evaluator_tamper", "repeated_tampering");
        assertThat(decided.jsonPath().getInt("decision.result.evidence.tamperAttemptsInWindow")).isEqualTo(2);
        Response ks = given().auth().oauth2(Keycloak.token("rita")).get("/api/v1/killswitch");
        assertThat(ks.jsonPath().getString("state")).isEqualTo("TRIPPED");
        assertThat(ks.jsonPath().getString("cause")).isEqualTo(third);
        assertThat(ks.jsonPath().getString("reason")).contains("repeated tampering").contains("tamper1-" + run).contains("tamper2-" + run);
        assertThat(Governance.count("select count(*) from tamper_attempt where loop_id = ?", loop)).isEqualTo(3);
    }

    @Test
    void aProposalThatSaysNothingOfItsLineageIsCountedAsARoot() {
        String id = "root-" + run;
        Governance.submit(id, "loop-root-" + run, d -> {
            d.remove("parentId");
            d.remove("lineage");
        });
        Response decided = Governance.awaitStatus(id, "PENDING_REVIEW");
        assertThat(decided.jsonPath().getInt("decision.result.evidence.generationsSinceLastPromoted")).isZero();
        assertThat(decided.jsonPath().getBoolean("decision.result.evidence.unknownAncestry")).isFalse();
    }
}
