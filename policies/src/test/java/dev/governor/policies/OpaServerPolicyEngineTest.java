package dev.governor.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the server engine reports a misbehaving OPA endpoint. The endpoint here is a JDK
 * HttpServer answering fixed bodies; agreement with a real OPA server is TwoEnginesAgreeIT.
 */
class OpaServerPolicyEngineTest {

    private static final String REVISION = "ab".repeat(32);
    private static final String DECISION = """
            {"outcome":"REVIEW","tier":"elevated","requiredApprovals":2,"violations":[],
             "breaches":[{"domain":"ai_rnd","level":"alert","score":0.5,"threshold":0.5,"framework":"RSP AI R&D-4"}],
             "haltLoop":false}""";

    private HttpServer http;
    private final AtomicReference<String> requestBody = new AtomicReference<>();
    private final AtomicReference<String> requestQuery = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (http != null) {
            http.stop(0);
        }
    }

    private URI answering(int status, String body) throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            requestBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requestQuery.set(exchange.getRequestURI().getPath() + "?" + exchange.getRequestURI().getQuery());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        http.start();
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
    }

    private static String provenance(String revision) {
        return "{\"version\":\"1.22.3\",\"bundles\":{\"bundle.tar.gz\":{\"revision\":\"" + revision + "\"}}}";
    }

    private static JsonNode input() {
        return DecisionCorpus.JSON.createObjectNode().put("probe", true);
    }

    @Test
    void postsTheInputAndReadsDecisionAndRevision() throws Exception {
        URI url = answering(200, "{\"result\":" + DECISION + ",\"provenance\":" + provenance(REVISION) + "}");
        OpaServerPolicyEngine engine = new OpaServerPolicyEngine(url, Duration.ofSeconds(5));

        PolicyEvaluation evaluation = engine.evaluate(input());
        PolicyDecision decision = evaluation.decision();

        assertThat(requestQuery.get()).isEqualTo("/v1/data/rsi/gate/decision?provenance=true");
        assertThat(DecisionCorpus.JSON.readTree(requestBody.get())).isEqualTo(
                DecisionCorpus.JSON.createObjectNode().set("input", input()));
        assertThat(decision.tier()).isEqualTo(PolicyDecision.Tier.ELEVATED);
        assertThat(decision.breaches()).hasSize(1);
        assertThat(evaluation.revision()).isEqualTo(REVISION);
        assertThat(evaluation.engine()).isEqualTo("opa-server");
        assertThat(engine.revision()).isEqualTo(REVISION);
    }

    @Test
    void revisionIsAskedForWhenNoDecisionWasMadeYet() throws Exception {
        URI url = answering(200, "{\"result\":{},\"provenance\":" + provenance(REVISION) + "}");
        assertThat(new OpaServerPolicyEngine(url, Duration.ofSeconds(5)).revision()).isEqualTo(REVISION);
        assertThat(requestQuery.get()).isEqualTo("/v1/data/governor/tiers?provenance=true");
    }

    @Test
    void non200AnswerIsAnErrorNamingTheStatusAndBody() throws Exception {
        URI url = answering(500, "{\"code\":\"internal_error\",\"message\":\"boom\"}");
        OpaServerPolicyEngine engine = new OpaServerPolicyEngine(url, Duration.ofSeconds(5));
        assertThatThrownBy(() -> engine.decide(input()))
                .isInstanceOf(PolicyEngineException.class)
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("boom");
    }

    @Test
    void missingResultIsAnError() throws Exception {
        URI url = answering(200, "{\"provenance\":" + provenance(REVISION) + "}");
        OpaServerPolicyEngine engine = new OpaServerPolicyEngine(url, Duration.ofSeconds(5));
        assertThatThrownBy(() -> engine.decide(input()))
                .isInstanceOf(PolicyEngineException.class)
                .hasMessageContaining("no result for rsi/gate/decision");
    }

    @Test
    void bundleWithoutRevisionIsAnError() throws Exception {
        URI url = answering(200, "{\"result\":" + DECISION + ",\"provenance\":" + provenance("") + "}");
        OpaServerPolicyEngine engine = new OpaServerPolicyEngine(url, Duration.ofSeconds(5));
        assertThatThrownBy(() -> engine.decide(input()))
                .isInstanceOf(PolicyEngineException.class)
                .hasMessageContaining("without a revision");
    }

    @Test
    void serverThatDoesNotAnswerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            OpaServerPolicyEngine engine = new OpaServerPolicyEngine(
                    URI.create("http://127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300));
            assertThatThrownBy(() -> engine.decide(input()))
                    .isInstanceOf(PolicyEngineException.class)
                    .hasMessageContaining("did not answer within PT0.3S");
        }
    }

    @Test
    void unreachableServerIsAnErrorSayingHowToStartOne() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        OpaServerPolicyEngine engine = new OpaServerPolicyEngine(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2));
        assertThatThrownBy(() -> engine.decide(input()))
                .isInstanceOf(PolicyEngineException.class)
                .hasMessageContaining("cannot connect")
                .hasMessageContaining("scripts/policy server-bundle");
    }
}
