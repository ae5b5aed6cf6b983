package dev.governor.controlplane.bench;

import static dev.governor.controlplane.bench.Percentiles.max;
import static dev.governor.controlplane.bench.Percentiles.pct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.ProofVerifier;
import dev.governor.auditor.log.TreeHead;
import dev.governor.auditor.store.AuditEvent;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Issue 4's figure: inclusion-proof latency through the API
 * ({@code GET /api/v1/audit/entries/{i}/inclusion?treeSize=N}, a regulator's bearer token) on a
 * log of 1,000,000 entries, against the store call that answers it, measured in the same run. The
 * packaged control plane runs on a PostgreSQL schema of its own (dropped at the end), which the
 * benchmark fills through {@link AuditLogStore#append} in batches of 1,000 while it runs.
 * Needs scripts/services up (PostgreSQL, Kafka, Keycloak).
 */
public final class InclusionApiBench {

    private static final String DB = Governance.DB_URL;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long target = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int proofs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        String run = UUID.randomUUID().toString().substring(0, 8);
        String schema = "proofbench_" + run;
        owner("create schema " + schema, "grant usage on schema " + schema + " to governor_app");
        // Its own kill-switch topic: this Governor's state (another schema, another key) must not reach anyone else's guards.
        String control = "rsi.control.proofbench-" + run;
        try (Admin admin = KafkaTestClients.admin()) {
            admin.createTopics(List.of(new NewTopic(control, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> cleanUp(schema, control)));
        Map<String, String> env = GovernorProcess.servicesEnv("target/proofbench-" + run, Map.of(
                "GOVERNOR_TOPICS_CONTROL", control,
                "GOVERNOR_DB_URL", DB + "?currentSchema=" + schema,
                "GOVERNOR_INTAKE_ENABLED", "false",
                "GOVERNOR_REVIEW_RELAY_ENABLED", "false"));
        // Extra JVM options for the Governor, e.g. BENCH_GOVERNOR_JVM_ARGS=-XX:StartFlightRecording=filename=gov.jfr to profile it.
        String extra = System.getenv().getOrDefault("BENCH_GOVERNOR_JVM_ARGS", "").strip();
        List<String> jvm = extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
        try (GovernorProcess governor = new GovernorProcess("proofbench-" + run, 18096, jvm, env);
             Connection c = DriverManager.getConnection(DB + "?currentSchema=" + schema, "governor_app", "governor_app")) {
            governor.start().awaitReady(Duration.ofSeconds(120));
            c.setAutoCommit(false);
            AuditLogStore store = new AuditLogStore();
            fill(c, store, target);
            long size = awaitCheckpoint(governor, target);
            TreeHead head = store.treeHead(c, size);
            c.commit();
            System.out.printf("log of %,d entries, signed checkpoint at %,d; %d proofs each way, interleaved, after 5,000 warm-up pairs%n",
                    store.size(c), size, proofs);
            c.commit();

            Random random = new Random(42);
            int warmup = 5000;
            long[] indexes = random.longs(proofs + warmup, 0, size).toArray();
            String token = Keycloak.token("rita");
            double[] api = new double[proofs];
            double[] direct = new double[proofs];
            int verified = 0;
            // Interleaved, so that both see the same database caches; the first calls only warm up (JIT, caches).
            try (KeepAlive client = new KeepAlive("127.0.0.1", 18096)) {
                for (int i = 0; i < indexes.length; i++) {
                    long t0 = System.nanoTime();
                    String body = client.get("/api/v1/audit/entries/" + indexes[i] + "/inclusion?treeSize=" + size, token);
                    long t1 = System.nanoTime();
                    store.entry(c, indexes[i]).orElseThrow();
                    store.inclusionProof(c, indexes[i], size);
                    long t2 = System.nanoTime();
                    c.commit();
                    if (i >= warmup) {
                        api[i - warmup] = (t1 - t0) / 1e6;
                        direct[i - warmup] = (t2 - t1) / 1e6;
                        if (i % 50 == 0) {
                            verify(JSON.readTree(body), head);
                            verified++;
                        }
                    }
                }
            }
            report("API (HTTP/1.1 keep-alive, bearer token, JSON)", api);
            report("store calls (entry + inclusionProof, one connection)", direct);
            System.out.printf("RESULT inclusion proof through the API at %,d entries: p50 %.3f ms, p99 %.3f ms, max %.3f ms; "
                            + "store p50 %.3f ms, p99 %.3f ms; API/store p50 %.2f, p99 %.2f; %d sampled proofs verified against the root%n",
                    size, pct(api, 50), pct(api, 99), max(api), pct(direct, 50), pct(direct, 99),
                    pct(api, 50) / pct(direct, 50), pct(api, 99) / pct(direct, 99), verified);
        } finally {
            cleanUp(schema, control);
        }
    }

    private static void fill(Connection c, AuditLogStore store, long target) throws Exception {
        long start = System.nanoTime();
        long size = store.size(c);
        c.commit();
        long n = size;
        Instant t0 = Instant.parse("2026-11-26T00:00:00Z");
        while (n < target) {
            int batch = (int) Math.min(1000, target - n);
            List<AuditEvent> events = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++, n++) {
                ObjectNode data = JSON.createObjectNode().put("decisionId", UUID.randomUUID().toString())
                        .put("reason", "capability within limits; evaluation " + n).put("latencyMicros", 100 + n % 900);
                events.add(new AuditEvent("policy.decision", "p-" + n / 3, "loop-" + n % 50, "rev-bench", t0.plusMillis(n), data));
            }
            store.append(c, events);
            c.commit();
            if (n % 100_000 < 1000) {
                System.out.printf("filled %,d entries (%.0f s)%n", store.size(c), (System.nanoTime() - start) / 1e9);
                c.commit();
            }
        }
    }

    /** Waits until the running Governor has signed a checkpoint covering at least {@code size} entries. */
    private static long awaitCheckpoint(GovernorProcess governor, long size) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(governor.url("/api/v1/audit/checkpoint")))
                    .header("Authorization", "Bearer " + Keycloak.token("rita")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                long signed = Long.parseLong(r.body().split("\n")[1].trim());
                if (signed >= size) {
                    return signed;
                }
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("no checkpoint covering " + size + " entries within 3 minutes\n" + governor.tail());
    }

    /**
     * A minimal blocking HTTP/1.1 client on one keep-alive connection: the request goes out and
     * the answer is read on the calling thread. java.net.http's client hands each exchange between
     * its own threads, which on 2 busy cores added milliseconds to the tail (measured: p99 4-13 ms
     * against 0.3-0.7 ms for the same trivial endpoint), so it would measure itself.
     */
    static final class KeepAlive implements AutoCloseable {
        private final java.net.Socket socket;
        private final java.io.InputStream in;
        private final java.io.OutputStream out;

        KeepAlive(String host, int port) throws java.io.IOException {
            socket = new java.net.Socket(host, port);
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = new java.io.BufferedOutputStream(socket.getOutputStream());
        }

        String get(String path, String token) throws java.io.IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new java.io.EOFException("the server closed the connection");
                }
                head.write(b);
                matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String headers = head.toString(java.nio.charset.StandardCharsets.US_ASCII);
            int length = -1;
            for (String line : headers.split("\r\n")) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            if (length < 0) {
                throw new java.io.IOException("no Content-Length in " + headers);
            }
            String body = new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
            if (!headers.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException(headers + body);
            }
            return body;
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    private static void verify(JsonNode answer, TreeHead head) {
        List<byte[]> hashes = new ArrayList<>();
        answer.path("hashes").forEach(h -> hashes.add(Base64.getDecoder().decode(h.asText())));
        InclusionProof proof = new InclusionProof(answer.path("leafIndex").asLong(), answer.path("treeSize").asLong(), hashes);
        ProofVerifier.verifyInclusion(Base64.getDecoder().decode(answer.path("leafHash").asText()), proof, head);
    }

    private static void owner(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(DB, "governor", "governor"); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    private static void cleanUp(String schema, String topic) {
        try {
            owner("drop schema if exists " + schema + " cascade");
        } catch (Exception e) {
            System.err.println("could not drop schema " + schema + ": " + e);
        }
        try (Admin admin = KafkaTestClients.admin()) {
            admin.deleteTopics(List.of(topic)).all().get();
        } catch (Exception e) {
            // already deleted by the first clean-up, or Kafka gone: nothing left to do
        }
    }

    private static void report(String what, double[] ms) {
        System.out.printf("%-55s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms%n", what, pct(ms, 50), pct(ms, 99), max(ms));
    }


}
