package dev.governor.controlplane.bench;

import dev.governor.controlplane.testing.Governance;
import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * End to end intake throughput: N proposals already in a topic, until all are decided, stored and
 * audited by the packaged control plane; against a bare Kafka consumer reading the same records
 * in the same run. The control plane runs on a PostgreSQL schema of its own (migrated at start,
 * dropped at the end) with a kill-switch topic of its own, so every run starts from an empty
 * database, as a new deployment does, whatever earlier runs left. Needs the services of
 * scripts/services (Kafka, PostgreSQL). Run with bench/intake/run.
 */
public final class IntakeBench {

    private static final String DB = Governance.DB_URL;
    private static final int LOOPS = 50;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int loops = LOOPS;
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "rsi.proposals.bench-" + run;
        String decisions = "rsi.decisions.bench-" + run;
        String control = "rsi.control.intakebench-" + run;
        String schema = "intakebench_" + run;
        System.out.printf("Intake benchmark %s: %d proposals from %d loops on %s, database schema %s%n", run, n, loops, topic, schema);
        try (Admin admin = KafkaTestClients.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(decisions, 3, (short) 1),
                    new NewTopic(control, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        owner("create schema " + schema, "grant usage on schema " + schema + " to governor_app");
        try {
            fill(topic, run, n, loops);
            double bare = bareConsumer(topic, n);
            double governor = governor(topic, decisions, control, schema, run, n);
            System.out.printf("%nRESULT bare Kafka consumer: %.0f records/s%n", bare);
            System.out.printf("RESULT Governor intake (decided, stored, audited, offsets committed): %.0f proposals/s%n", governor);
            System.out.printf("RESULT ratio Governor / bare consumer: %.3f%n", governor / bare);
        } finally {
            try (Admin admin = KafkaTestClients.admin()) {
                admin.deleteTopics(List.of(topic, decisions, control)).all().get();
            }
            owner("drop schema if exists " + schema + " cascade");
        }
    }

    private static void owner(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(DB, "governor", "governor"); java.sql.Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    private static void fill(String topic, String run, int n, int loops) {
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer()) {
            for (int i = 0; i < n; i++) {
                String id = "bench-" + run + "-" + i;
                producer.send(new ProducerRecord<>(topic, id, ProposalMessages.bytes(
                        ProposalMessages.cloudEvent(ProposalMessages.data(id, "loop-bench-" + run + "-" + (i % loops))))));
                if ((i + 1) % 5000 == 0) {
                    System.out.printf("  produced %d/%d%n", i + 1, n);
                }
            }
            producer.flush();
        }
        System.out.printf("Filled the topic in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static double bareConsumer(String topic, int n) {
        try (KafkaConsumer<String, byte[]> consumer = KafkaTestClients.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "bench-bare-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500))) {
            consumer.subscribe(List.of(topic));
            int read = 0;
            long start = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (read < n && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty() && start == 0) {
                    start = System.nanoTime();
                }
                read += records.count();
                consumer.commitSync();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Bare consumer read %d records in %.2f s (poll + commitSync per batch)%n", read, seconds);
            return read / seconds;
        }
    }

    private static double governor(String topic, String decisions, String control, String schema, String run, int n)
            throws Exception {
        Map<String, String> env = GovernorProcess.servicesEnv("target/intakebench-" + run, Map.of(
                "GOVERNOR_DB_URL", DB + "?currentSchema=" + schema,
                "GOVERNOR_TOPICS_CONTROL", control,
                "GOVERNOR_TOPICS_PROPOSALS", topic,
                "GOVERNOR_TOPICS_DECISIONS", decisions,
                "GOVERNOR_INTAKE_GROUP_ID", "governor-bench-" + run,
                "GOVERNOR_INTAKE_ENABLED", "false"));
        String like = "bench-" + run + "-%";
        try (GovernorProcess governor = new GovernorProcess("bench-intake-" + run, 18095, List.of(), env)) {
            // Intake off while starting, so that start-up time is not counted; then on.
            governor.start().awaitReady(Duration.ofMinutes(3));
            governor.stop(Duration.ofSeconds(60));
        }
        // The loops are registered (with their test keys) once the schema exists, before intake reads a proposal.
        for (int i = 0; i < LOOPS; i++) {
            TestLoops.registerInDatabase(DB + "?currentSchema=" + schema, "loop-bench-" + run + "-" + i);
        }
        Map<String, String> on = new java.util.HashMap<>(env);
        on.put("GOVERNOR_INTAKE_ENABLED", "true");
        // Extra JVM options for the measured Governor, e.g. BENCH_GOVERNOR_JVM_ARGS=-XX:StartFlightRecording=filename=gov.jfr to profile it.
        String extra = System.getenv().getOrDefault("BENCH_GOVERNOR_JVM_ARGS", "").strip();
        List<String> jvm = extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
        try (GovernorProcess governor = new GovernorProcess("bench-intake-" + run, 18095, jvm, on);
             Admin admin = KafkaTestClients.admin()) {
            governor.start();
            long start = 0;
            long halfAt = 0;
            int decidedAtHalf = 0;
            int decided = 0;
            int lastPrinted = -1;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (decided < n && System.nanoTime() < deadline) {
                Thread.sleep(200);
                // A decision is published after its transaction commits, so the end offsets of this run's
                // decision topic count decisions stored and audited. (Counting rows in policy_decision
                // instead cost a parallel scan of the table every 200 ms, on the same 2 cores.)
                decided = (int) published(admin, decisions);
                long now = System.nanoTime();
                if (decided > 0 && start == 0) {
                    start = now;
                }
                if (halfAt == 0 && decided >= n / 2) {
                    halfAt = now;
                    decidedAtHalf = decided;
                }
                if (decided / 2000 != lastPrinted) {
                    lastPrinted = decided / 2000;
                    System.out.printf("  decided %d/%d (%.1f s)%n", decided, n, start == 0 ? 0 : (now - start) / 1e9);
                }
            }
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            System.out.printf("Governor decided %d proposals in %.2f s (from the first decision to the last); %d decisions stored%n",
                    decided, seconds, count(schema, like));
            // The process starts cold: its JIT compiles the policy's generated wasm classes, among others, while it
            // decides the first proposals. The second half shows the rate once that is done.
            double secondHalf = (decided - decidedAtHalf) / ((end - halfAt) / 1e9);
            System.out.printf("RESULT Governor intake, second half only (%d proposals, %.2f s): %.0f proposals/s%n",
                    decided - decidedAtHalf, (end - halfAt) / 1e9, secondHalf);
            printStages(governor);
            return decided / seconds;
        }
    }

    /** Where a batch's time went, from the control plane's own timers (whole run). */
    private static void printStages(GovernorProcess governor) {
        try {
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(governor.url("/q/metrics"))).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Map<String, double[]> stages = new java.util.TreeMap<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "governor_intake_stage_seconds_(count|sum)\\{[^}]*stage=\"([^\"]+)\"[^}]*} ([0-9.eE+-]+)").matcher(metrics);
            while (m.find()) {
                stages.computeIfAbsent(m.group(2), k -> new double[2])[m.group(1).equals("count") ? 0 : 1] = Double.parseDouble(m.group(3));
            }
            stages.forEach((stage, v) -> System.out.printf("  stage %-18s %6.0f batches, %8.1f ms per batch, %6.1f s in all%n",
                    stage, v[0], v[0] == 0 ? 0 : v[1] * 1000 / v[0], v[1]));
        } catch (Exception e) {
            System.out.println("  (stage timers not read: " + e + ")");
        }
    }

    private static long published(Admin admin, String topic) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                .collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> org.apache.kafka.clients.admin.OffsetSpec.latest()));
        return admin.listOffsets(partitions).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }

    private static int count(String schema, String like) throws Exception {
        try (Connection c = DriverManager.getConnection(DB + "?currentSchema=" + schema, "governor_app", "governor_app");
             PreparedStatement ps = c.prepareStatement("select count(*) from policy_decision where proposal_id like ?")) {
            ps.setString(1, like);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
