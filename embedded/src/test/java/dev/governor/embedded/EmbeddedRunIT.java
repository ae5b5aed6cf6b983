package dev.governor.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.controlplane.testing.Browser;
import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The one-command embedded run, as a user gets it: its own Kafka and PostgreSQL, health UP, a
 * proposal written straight to Kafka is decided and readable; a pause blocks its approval, both
 * survive a restart, and the two-officer resume promotes it.
 * Other ports than the defaults, so that it runs beside the services of scripts/services.
 */
class EmbeddedRunIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> DEMO =
            List.of("demo-dgm-swe-7-gen12-node3", "demo-openevolve-kernels-gen31", "demo-ai-scientist-time-limit");

    @Test
    void theEmbeddedRunDecidesAProposalFromKafkaAndKeepsItAcrossARestart() throws Exception {
        Path data = Path.of("target", "embedded-it-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        List<String> props = List.of("-Dquarkus.profile=embedded", "-Dgovernor.data-dir=" + data,
                "-Dgovernor.embedded.kafka-port=29092", "-Dgovernor.embedded.postgres-port=25433");
        String id = "embedded-" + UUID.randomUUID();
        try (GovernorProcess governor = new GovernorProcess("embedded-it", 28080, props, Map.of())) {
            governor.start().awaitReady(Duration.ofSeconds(180));
            // Its broker is PLAINTEXT on loopback without SASL or ACLs (ADR 0018), and it says so.
            assertThat(Files.readString(governor.logFile().toPath())).contains("Kafka has NO authentication in the embedded run");
            JsonNode health = get(governor, "/q/health", null);
            assertThat(health.path("status").asText()).isEqualTo("UP");
            assertThat(health.path("checks").findValuesAsText("name"))
                    .contains("Database connections health check", "Kafka connection health check", "policy-engine");

            TestLoops.register(io.restassured.RestAssured.given().baseUri(governor.url("")).auth().preemptive().basic("adam", "adam"),
                    "loop-embedded", List.of("loop-agent"), List.of());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:29092"), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("rsi.proposals", id,
                        ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-embedded"))))).get();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> status(governor, id) == 200);
            JsonNode proposal = get(governor, "/api/v1/proposals/" + id, "alice");
            assertThat(proposal.path("status").asText()).isEqualTo("PENDING_REVIEW");
            assertThat(proposal.path("decision").path("result").path("outcome").asText()).isEqualTo("REVIEW");
            assertThat(status(governor, id, "loop-agent:wrong")).isEqualTo(401);

            // A first run publishes the example proposals, through Kafka and the gate like any other.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (String d : DEMO) {
                    JsonNode p = get(governor, "/api/v1/proposals/" + d, "alice");
                    if (!p.has("decision") || "RECEIVED".equals(p.path("status").asText())) {
                        return false;
                    }
                }
                return true;
            });
            assertThat(get(governor, "/api/v1/proposals/demo-openevolve-kernels-gen31", "alice").path("review").path("tier").asText())
                    .isEqualTo("elevated");
            assertThat(get(governor, "/api/v1/proposals/demo-ai-scientist-time-limit", "alice").path("status").asText())
                    .isEqualTo("REJECTED_BY_POLICY");

            // Issue 6, done-means: alice pauses, and a fully approved proposal becomes BLOCKED, not PROMOTED.
            assertThat(post(governor, "/api/v1/killswitch/pause", "alice", "{\"reason\":\"embedded drill\"}").statusCode())
                    .isEqualTo(200);
            String approval = ProposalMessages.MAPPER.createObjectNode().put("digest", proposal.path("contentDigest").asText())
                    .put("decisionId", proposal.path("decision").path("decision_id").asText()).put("comment", "ok").toString();
            assertThat(post(governor, "/api/v1/proposals/" + id + "/approvals", "alice", approval).statusCode()).isEqualTo(200);
            assertThat(get(governor, "/api/v1/proposals/" + id, "alice").path("status").asText()).isEqualTo("BLOCKED");
            assertThat(governor.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 130, 143);
        }
        try (GovernorProcess again = new GovernorProcess("embedded-it-restart", 28080, props, Map.of())) {
            again.start().awaitReady(Duration.ofSeconds(180));
            // The pause and the blocked proposal survive the restart.
            JsonNode killSwitch = get(again, "/api/v1/killswitch", "rita");
            assertThat(killSwitch.path("state").asText()).isEqualTo("PAUSED");
            assertThat(killSwitch.path("reason").asText()).isEqualTo("embedded drill");
            assertThat(killSwitch.path("verified").asBoolean()).isTrue();
            assertThat(get(again, "/api/v1/proposals/" + id, "alice").path("status").asText()).isEqualTo("BLOCKED");
            JsonNode health = get(again, "/q/health", null);
            assertThat(health.toString()).contains("\"kill-switch\"").contains("\"PAUSED\"");

            HttpResponse<String> first = post(again, "/api/v1/killswitch/resume", "alice", "{\"reason\":\"drill over\"}");
            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(first.body()).contains("second safety-officer");
            assertThat(get(again, "/api/v1/proposals/" + id, "alice").path("status").asText()).isEqualTo("BLOCKED");
            assertThat(post(again, "/api/v1/killswitch/resume", "bob", "{\"reason\":\"agreed\"}").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "PROMOTED".equals(get(again, "/api/v1/proposals/" + id, "alice").path("status").asText()));
            JsonNode promoted = get(again, "/api/v1/proposals/" + id, "alice");
            assertThat(promoted.path("review").path("promotion").path("recheckDecisionId").asText()).isNotBlank();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    get(again, "/api/v1/proposals/" + id, "alice").path("review").path("promotion").has("offset"));
            String metrics = HTTP.send(request(again, "/q/metrics", null), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("governor_killswitch_state 0.0").contains("governor_killswitch_epoch");
            assertThat(again.tail()).as("examples are published once, not at every start").doesNotContain("example proposals (demo only)");

            // The console on the embedded run: the demo users sign in with the form (a wrong password
            // is refused on the page, never by a browser prompt), and the examples are there to review.
            try (Browser bob = Browser.open("bob")) {
                bob.get(again.url("/"));
                bob.find(By.id("username")).sendKeys("bob");
                bob.find(By.id("password")).sendKeys("wrong", Keys.ENTER);
                bob.await(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                        By.cssSelector(".signin .msg.error"), "Wrong user name or password"));
                bob.find(By.id("password")).clear();
                bob.find(By.id("password")).sendKeys("bob", Keys.ENTER);
                bob.await(Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("user"), "bob"));
                bob.await(Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(
                        By.cssSelector("tr[data-proposal='demo-openevolve-kernels-gen31']")));
                assertThat(bob.text(By.cssSelector("tr[data-proposal='demo-openevolve-kernels-gen31']"))).contains("elevated");
                bob.get(again.url("/console/#/proposals/demo-ai-scientist-time-limit"));
                assertThat(bob.text(By.id("violations"))).contains("time");
                assertThat(bob.attribute(By.cssSelector("#touched-paths li"), "data-protected")).isEqualTo("yes");
                assertThat(bob.all(By.id("approve"))).as("nothing to approve on a denied proposal").isEmpty();
            }
            again.stop(Duration.ofSeconds(60));
        }
    }

    private static HttpResponse<String> post(GovernorProcess governor, String path, String user, String json) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(governor.url(path)))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static int status(GovernorProcess governor, String id) throws Exception {
        return status(governor, id, "alice:alice");
    }

    private static int status(GovernorProcess governor, String id, String credentials) throws Exception {
        return HTTP.send(request(governor, "/api/v1/proposals/" + id, credentials), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static JsonNode get(GovernorProcess governor, String path, String user) throws Exception {
        HttpResponse<String> r = HTTP.send(request(governor, path, user == null ? null : user + ":" + user),
                HttpResponse.BodyHandlers.ofString());
        return ProposalMessages.MAPPER.readTree(r.body());
    }

    private static HttpRequest request(GovernorProcess governor, String path, String credentials) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(governor.url(path)));
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return b.build();
    }
}
