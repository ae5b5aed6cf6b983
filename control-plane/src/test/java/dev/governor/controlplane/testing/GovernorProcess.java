package dev.governor.controlplane.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged control plane (target/quarkus-app) run as a separate process, to be killed or restarted. */
public final class GovernorProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final int port;
    private Process process;

    /**
     * The environment a packaged Governor needs against scripts/services (demo-only credentials for
     * PostgreSQL, OIDC and Kafka, a
     * fresh audit key, the kill-switch, promotion and API keys generated in {@code dataDir}, no trace export), plus
     * {@code extra}, which wins.
     */
    public static Map<String, String> servicesEnv(String dataDir, Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "GOVERNOR_DB_PASSWORD", "governor_app",
                "GOVERNOR_DB_OWNER_PASSWORD", "governor",
                "GOVERNOR_OIDC_CLIENT_SECRET", "control-plane-demo-secret",
                "GOVERNOR_AUDIT_SIGNING_KEY", dev.governor.auditor.checkpoint.NoteSigner.generate("governor.local/audit",
                        new java.security.SecureRandom()).signerKey(),
                "GOVERNOR_DATA_DIR", dataDir,
                "GOVERNOR_KILLSWITCH_GENERATE_KEY", "true",
                "GOVERNOR_PROMOTION_GENERATE_KEY", "true",
                "GOVERNOR_OTEL_DISABLED", "true"));
        // Instances sharing a database must share the API key (it signs what the API publishes for intake).
        env.put("GOVERNOR_LOOPS_GENERATE_KEY", "true");
        env.put("GOVERNOR_DB_URL", Governance.DB_URL);
        env.putAll(KafkaTestClients.governorEnv());
        env.putAll(extra);
        return env;
    }

    public GovernorProcess(String name, int port, List<String> systemProperties, Map<String, String> env) {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the package phase first");
        }
        this.port = port;
        this.env = env;
        this.log = Path.of("target", name + ".log");
        this.command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Dquarkus.http.port=" + port);
        command.addAll(systemProperties);
        command.add("-jar");
        command.add(JAR.toString());
    }

    public GovernorProcess start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        process = builder.start();
        return this;
    }

    /** Waits until /q/health/ready answers 200; fails with the log's tail otherwise. */
    public GovernorProcess awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Governor exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/q/health/ready"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Governor was not ready within " + timeout + ":\n" + tail());
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** SIGKILL: no shutdown hook, no offset commit, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the ordinary, clean shutdown; returns the exit code. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("Governor did not stop within " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** Waits for the process to end by itself; returns its exit code, or fails with the log's tail. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Governor still runs after " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    public String tail() {
        try {
            // Stack frames are left out so that the tail shows more of what happened.
            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.startsWith("\tat ")).toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    public File logFile() {
        return log.toFile();
    }

    /**
     * After a test, failed or not: SIGTERM first, so that an embedded run stops the PostgreSQL and
     * Kafka it started (a SIGKILL would leave them running, holding their ports for the next test).
     */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
