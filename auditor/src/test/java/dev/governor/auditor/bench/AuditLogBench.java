package dev.governor.auditor.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.cli.Verify;
import dev.governor.auditor.evidence.EvidenceBundles;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.ProofVerifier;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;
import dev.governor.auditor.store.AuditEntry;
import dev.governor.auditor.store.AuditEvent;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.auditor.store.StoredCheckpoint;
import org.flywaydb.core.Flyway;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

/**
 * Audit log benchmark on the real PostgreSQL of {@code scripts/services}, in a schema of its own
 * ({@code auditbench_<random>}, migrated as the owner, dropped at the end). Plain main,
 * not a test; run it with {@code bench/audit/run}.
 *
 * <p>Phases: append throughput through {@link AuditLogStore#append(Connection, List)} (batches of
 * 100 and 1,000, and single events; one READ COMMITTED transaction per call), the PostgreSQL peer
 * (the same rows through the same multi-row insert into a scratch table without triggers, lock
 * or Merkle nodes), growth of the log to the target size, inclusion-proof latency through
 * {@link AuditLogStore#inclusionProof} (the store call the HTTP API makes), export with
 * {@link EvidenceBundles#export} and verification with the {@code Verify log} CLI entry point
 * (in process, so without JVM start-up).
 *
 * <p>Options: {@code --append-seconds 30 --max-events 200000 --single-seconds 15 --peer-seconds 15
 * --target 1000000 --grow-minutes 15 --proofs 10000}.
 */
public final class AuditLogBench {

    private static final String PEER_INSERT = """
            insert into bench_peer_entry (entry_index, leaf, leaf_hash, event_type, proposal_id, actor, policy_revision, occurred_at)
            select entry_index, leaf, leaf_hash, event_type, proposal_id, actor, policy_revision, occurred_at::timestamptz
              from unnest(?::bigint[], ?::bytea[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                   with ordinality as t(entry_index, leaf, leaf_hash, event_type, proposal_id, actor, policy_revision,
                                        occurred_at, position)
             order by position
            """;
    private static final String[] TYPES = {"proposal.received", "policy.decision", "approval", "rejection", "promotion"};

    private final String url = setting("GOVERNOR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/governor");
    private final String ownerUser = setting("GOVERNOR_DB_OWNER_USER", "governor");
    private final String ownerPassword = setting("GOVERNOR_DB_OWNER_PASSWORD", "governor");
    private final String appUser = setting("GOVERNOR_DB_APP_USER", "governor_app");
    private final String appPassword = setting("GOVERNOR_DB_APP_PASSWORD", "governor_app");
    private final String schema = "auditbench_" + HexFormat.of().formatHex(SecureRandom.getSeed(6));
    private final AuditLogStore store = new AuditLogStore();
    private final Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
    private long eventCounter;
    private long peerIndex;

    private int appendSeconds = 30;
    private int maxEvents = 200_000;
    private int singleSeconds = 15;
    private int peerSeconds = 15;
    private long target = 1_000_000;
    private int growMinutes = 15;
    private int proofs = 10_000;

    public static void main(String[] args) throws Exception {
        AuditLogBench bench = new AuditLogBench();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--append-seconds" -> bench.appendSeconds = Integer.parseInt(value);
                case "--max-events" -> bench.maxEvents = Integer.parseInt(value);
                case "--single-seconds" -> bench.singleSeconds = Integer.parseInt(value);
                case "--peer-seconds" -> bench.peerSeconds = Integer.parseInt(value);
                case "--target" -> bench.target = Long.parseLong(value);
                case "--grow-minutes" -> bench.growMinutes = Integer.parseInt(value);
                case "--proofs" -> bench.proofs = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        bench.run();
    }

    private void run() throws Exception {
        log("schema " + schema + " on " + url);
        createSchema();
        Thread dropOnExit = new Thread(this::dropSchemaQuietly);
        Runtime.getRuntime().addShutdownHook(dropOnExit);
        try {
            AuditEvent sample = event();
            log(String.format("event leaf: %d bytes (RFC 8785 canonical JSON)", sample.leaf().length));

            // Warm-up (JIT, plans) on both paths, not measured.
            appendPhase("warm-up", 100, 5, 20_000);
            peerPhase("warm-up", 100, 3, 20_000);

            double b1000 = appendPhase("store.append, batches of 1000", 1000, appendSeconds, maxEvents);
            double p1000 = peerPhase("peer INSERT, batches of 1000", 1000, peerSeconds, maxEvents);
            double b100 = appendPhase("store.append, batches of 100", 100, appendSeconds, maxEvents);
            double p100 = peerPhase("peer INSERT, batches of 100", 100, peerSeconds, maxEvents);
            double b1 = appendPhase("store.append, single events", 1, singleSeconds, maxEvents);
            double p1 = peerPhase("peer INSERT, single rows", 1, singleSeconds, maxEvents);
            log(String.format("RESULT appends/s: batch1000 %.0f (peer %.0f, ratio %.3f); batch100 %.0f (peer %.0f, ratio %.3f); single %.0f (peer %.0f, ratio %.3f)",
                    b1000, p1000, b1000 / p1000, b100, p100, b100 / p100, b1, p1, b1 / p1));

            long size = grow();
            proofPhase(size);
            exportAndVerify();
            relationSizes();
        } finally {
            dropSchemaQuietly();
            Runtime.getRuntime().removeShutdownHook(dropOnExit);
        }
    }

    // ---------------------------------------------------------------- appends

    private double appendPhase(String name, int batch, int seconds, int limit) throws SQLException {
        try (Connection c = app()) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long start = System.nanoTime();
            long events = 0;
            List<AuditEvent> events0 = new ArrayList<>(batch);
            while (events < limit && System.nanoTime() < deadline) {
                events0.clear();
                for (int i = 0; i < batch; i++) {
                    events0.add(event());
                }
                store.append(c, events0);
                c.commit();
                events += batch;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rate = events / elapsed;
            log(String.format("%s: %,d events in %.2f s = %,.0f appends/s (%,.0f transactions/s); log size %,d",
                    name, events, elapsed, rate, rate / batch, store.size(c)));
            return rate;
        }
    }

    /** The same rows, the same Java work (canonical leaf, leaf hash) and the same insert, without lock, size query, triggers or tree nodes. */
    private double peerPhase(String name, int batch, int seconds, int limit) throws SQLException {
        try (Connection c = app(); PreparedStatement insert = c.prepareStatement(PEER_INSERT)) {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long start = System.nanoTime();
            long rows = 0;
            while (rows < limit && System.nanoTime() < deadline) {
                Long[] indexes = new Long[batch];
                byte[][] leaves = new byte[batch][];
                byte[][] hashes = new byte[batch][];
                String[] types = new String[batch];
                String[] proposals = new String[batch];
                String[] actors = new String[batch];
                String[] revisions = new String[batch];
                String[] times = new String[batch];
                for (int i = 0; i < batch; i++) {
                    AuditEvent e = event();
                    indexes[i] = peerIndex++;
                    leaves[i] = e.leaf();
                    hashes[i] = TreeHasher.hashLeaf(leaves[i]);
                    types[i] = e.type();
                    proposals[i] = e.proposalId();
                    actors[i] = e.actor();
                    revisions[i] = e.policyRevision();
                    times[i] = e.occurredAt().toString();
                }
                insert.setArray(1, c.createArrayOf("int8", indexes));
                insert.setArray(2, c.createArrayOf("bytea", leaves));
                insert.setArray(3, c.createArrayOf("bytea", hashes));
                insert.setArray(4, c.createArrayOf("text", types));
                insert.setArray(5, c.createArrayOf("text", proposals));
                insert.setArray(6, c.createArrayOf("text", actors));
                insert.setArray(7, c.createArrayOf("text", revisions));
                insert.setArray(8, c.createArrayOf("text", times));
                insert.executeUpdate();
                c.commit();
                rows += batch;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rate = rows / elapsed;
            log(String.format("%s: %,d rows in %.2f s = %,.0f rows/s", name, rows, elapsed, rate));
            return rate;
        }
    }

    // ---------------------------------------------------------------- growth and proofs

    private long grow() throws SQLException {
        try (Connection c = app()) {
            long size = store.size(c);
            log(String.format("grow: from %,d to %,d entries in batches of 1000, at most %d minutes", size, target, growMinutes));
            long deadline = System.nanoTime() + growMinutes * 60_000_000_000L;
            long start = System.nanoTime();
            long from = size;
            long nextReport = (size / 50_000 + 1) * 50_000;
            List<AuditEvent> batch = new ArrayList<>(1000);
            while (size < target && System.nanoTime() < deadline) {
                batch.clear();
                int n = (int) Math.min(1000, target - size);
                for (int i = 0; i < n; i++) {
                    batch.add(event());
                }
                size = store.append(c, batch).treeHead().size();
                c.commit();
                if (size >= nextReport) {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    log(String.format("grow: %,d entries (%.0f s, %,.0f appends/s so far)", size, elapsed, (size - from) / elapsed));
                    nextReport += 50_000;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            log(String.format("RESULT grow: reached %,d entries (target %,d)%s; %,d appended in %.0f s = %,.0f appends/s",
                    size, target, size < target ? " -- TIME LIMIT HIT" : "", size - from, elapsed, (size - from) / elapsed));
            return size;
        }
    }

    private void proofPhase(long size) throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(true);
            TreeHead head = store.treeHead(c, size);
            Random random = new Random(42);
            for (int i = 0; i < 1000; i++) { // warm-up
                store.inclusionProof(c, (long) (random.nextDouble() * size), size);
            }
            long[] nanos = new long[proofs];
            long[] indexes = new long[proofs];
            long start = System.nanoTime();
            for (int i = 0; i < proofs; i++) {
                long index = (long) (random.nextDouble() * size);
                indexes[i] = index;
                long t = System.nanoTime();
                store.inclusionProof(c, index, size);
                nanos[i] = System.nanoTime() - t;
            }
            double total = (System.nanoTime() - start) / 1e9;
            // Check a sample of the proofs (outside the timing) against the tree head.
            for (int i = 0; i < Math.min(200, proofs); i++) {
                InclusionProof proof = store.inclusionProof(c, indexes[i], size);
                AuditEntry entry = store.entry(c, indexes[i]).orElseThrow();
                ProofVerifier.verifyInclusion(entry.leafHash(), proof, head);
            }
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            log(String.format("RESULT inclusion proofs (AuditLogStore.inclusionProof, one connection, tree size %,d): %,d proofs in %.2f s; p50 %.3f ms, p99 %.3f ms, max %.3f ms; 200 sampled proofs verified against the root",
                    size, proofs, total, pct(sorted, 0.50), pct(sorted, 0.99), sorted[sorted.length - 1] / 1e6));
        }
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    // ---------------------------------------------------------------- export and offline verification

    private void exportAndVerify() throws Exception {
        Path dir = Files.createTempDirectory("auditbench");
        Path export = dir.resolve("export.jsonl");
        Path note = dir.resolve("checkpoint.note");
        String origin = "bench.governor.example/audit";
        NoteSigner signer = NoteSigner.generate("bench.governor.example", new SecureRandom());
        try (Connection c = app()) {
            StoredCheckpoint checkpoint = store.publishCheckpoint(c, new CheckpointSigner(origin, signer));
            c.commit();
            Files.writeString(note, checkpoint.signedNote(), StandardCharsets.UTF_8);
            long size = checkpoint.treeHead().size();
            long start = System.nanoTime();
            long written;
            try (Writer out = new BufferedWriter(Files.newBufferedWriter(export, StandardCharsets.UTF_8), 1 << 20)) {
                written = EvidenceBundles.export(c, store, size, out);
            }
            c.commit();
            double seconds = (System.nanoTime() - start) / 1e9;
            log(String.format("RESULT export (EvidenceBundles.export): %,d entries, %,d bytes in %.2f s", written, Files.size(export), seconds));
        }
        String[] args = {"log", "--origin", origin, "--key", signer.verifier().verifierKey(), "--checkpoint", note.toString(), export.toString()};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code = Verify.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        double seconds = (System.nanoTime() - start) / 1e9;
        String said = (out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).strip();
        log(String.format("RESULT offline verification (Verify log, in process): exit %d (%s) in %.2f s: %s",
                code, code == 0 ? "verified" : "NOT verified", seconds, said));
        // A second run, with the file in the page cache and the JIT warm.
        start = System.nanoTime();
        code = Verify.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        log(String.format("RESULT offline verification, second run: exit %d in %.2f s", code, (System.nanoTime() - start) / 1e9));
        // As a regulator runs it: a JVM of its own (start-up included), default threads, one per processor.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Verify.class.getName()));
        command.addAll(List.of(args));
        start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        code = process.waitFor();
        log(String.format("RESULT offline verification (Verify log, own JVM, %d processors): exit %d in %.2f s: %s",
                Runtime.getRuntime().availableProcessors(), code, (System.nanoTime() - start) / 1e9, printed.replace('\n', ' ')));
        Files.deleteIfExists(export);
        Files.deleteIfExists(note);
        Files.deleteIfExists(dir);
    }

    private void relationSizes() throws SQLException {
        try (Connection c = owner(null); Statement sql = c.createStatement();
             ResultSet rs = sql.executeQuery("select c.relname, pg_total_relation_size(c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                     + " where n.nspname = '" + schema + "' and c.relkind = 'r' order by 1")) {
            StringBuilder text = new StringBuilder("relation sizes:");
            while (rs.next()) {
                text.append(String.format(" %s %,d MiB;", rs.getString(1), rs.getLong(2) >> 20));
            }
            log(text.toString());
        }
    }

    // ---------------------------------------------------------------- schema and events

    private void createSchema() throws SQLException {
        try (Connection c = owner(null); Statement sql = c.createStatement()) {
            sql.execute("create schema " + schema);
            sql.execute("grant usage on schema " + schema + " to " + appUser);
        }
        Path migrations = Path.of("control-plane", "src", "main", "resources", "db", "migration").toAbsolutePath();
        if (!Files.isDirectory(migrations)) {
            migrations = Path.of("..", "control-plane", "src", "main", "resources", "db", "migration").toAbsolutePath().normalize();
        }
        Flyway.configure()
                .dataSource(url, ownerUser, ownerPassword)
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(false)
                .locations("filesystem:" + migrations)
                .placeholders(Map.of("appRole", appUser))
                .load()
                .migrate();
        try (Connection c = owner(schema); Statement sql = c.createStatement()) {
            sql.execute("create table bench_peer_entry (entry_index bigint primary key, leaf bytea not null, leaf_hash bytea not null,"
                    + " event_type text not null, proposal_id text, actor text, policy_revision text, occurred_at timestamptz not null)");
            sql.execute("grant select, insert on bench_peer_entry to " + appUser);
        }
        log("migrated the control plane's migrations (the audit log's: V1, V8) into " + schema + " (from " + migrations + ") and created scratch table bench_peer_entry");
    }

    private void dropSchemaQuietly() {
        try (Connection c = owner(null); Statement sql = c.createStatement()) {
            sql.execute("drop schema if exists " + schema + " cascade");
            log("dropped schema " + schema);
        } catch (SQLException e) {
            System.err.println("could not drop schema " + schema + ": " + e.getMessage());
        }
    }

    /** About 500 bytes of canonical leaf: a policy decision with its inputs' digests. */
    private AuditEvent event() {
        long n = eventCounter++;
        ObjectNode data = JsonNodeFactory.instance.objectNode()
                .put("decision", n % 7 == 0 ? "deny" : "allow")
                .put("inputDigest", sha(n, 1))
                .put("contentDigest", sha(n, 2))
                .put("loop", "loop-" + (n % 50))
                .put("reason", "capability within limits; protected paths untouched; evaluation " + n)
                .put("latencyMicros", 100 + n % 900);
        data.putArray("touchedPaths").add("models/agent/policy.py").add("configs/train.yaml");
        data.putObject("capability").put("name", "code.modify").put("level", (int) (n % 4));
        return new AuditEvent(TYPES[(int) (n % TYPES.length)], "p-" + (n / 3), "loop-" + (n % 50),
                "rev-" + Long.toHexString(0x617b0163L + n % 3), t0.plusMillis(n), data);
    }

    private static String sha(long n, int salt) {
        return HexFormat.of().formatHex(TreeHasher.hashLeaf((n + ":" + salt).getBytes(StandardCharsets.UTF_8)));
    }

    private Connection app() throws SQLException {
        Connection c = connect(appUser, appPassword, schema);
        c.setAutoCommit(false);
        return c;
    }

    private Connection owner(String currentSchema) throws SQLException {
        return connect(ownerUser, ownerPassword, currentSchema);
    }

    private Connection connect(String user, String password, String currentSchema) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        if (currentSchema != null) {
            properties.setProperty("currentSchema", currentSchema);
        }
        return DriverManager.getConnection(url, properties);
    }

    private static void log(String message) {
        System.out.println(Instant.now().toString().substring(11, 19) + " " + message);
        System.out.flush();
    }

    private static String setting(String name, String fallback) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? fallback : value;
    }
}
