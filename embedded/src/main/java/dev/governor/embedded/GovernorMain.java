package dev.governor.embedded;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the embedded artifact (the control plane's own artifact uses Quarkus's default).
 * In the {@code embedded} profile it first starts a real PostgreSQL and a real Kafka broker for
 * Governor alone, so that one command runs everything with nothing installed by hand; in any
 * other profile it starts Governor against the services its configuration names.
 */
@QuarkusMain
public class GovernorMain {

    private static final Logger LOG = Logger.getLogger(GovernorMain.class);

    public static void main(String... args) {
        String profile = System.getProperty("quarkus.profile", System.getenv().getOrDefault("QUARKUS_PROFILE", "prod"));
        if (!List.of(profile.split(",")).contains("embedded")) {
            Quarkus.run(args);
            return;
        }
        quietKafkaUntilQuarkusLogs();
        EmbeddedStack stack;
        try {
            stack = EmbeddedStack.start();
        } catch (Exception e) {
            printStartFailure(e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stack::awaitQuarkusThenClose, "governor-embedded-shutdown"));
        Quarkus.run(EmbeddedApplication.class, (code, failure) -> {
            if (failure != null) {
                LOG.error("Governor stopped with an error", failure);
            }
            stack.quarkusStopped();
            stack.close();
            if (!jvmShuttingDown()) {
                System.exit(code);
            }
        }, args);
    }

    /** The broker starts before Quarkus has set up logging; keep its start-up chatter out of the console. */
    private static final List<java.util.logging.Logger> QUIETED = new java.util.ArrayList<>();

    private static void quietKafkaUntilQuarkusLogs() {
        for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
            logger.setLevel(java.util.logging.Level.WARNING);
            QUIETED.add(logger);
        }
    }

    /** System.exit during the JVM's own shutdown (Ctrl-C) would block forever. */
    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Prints where everything is, then runs until Ctrl-C. */
    public static final class EmbeddedApplication implements QuarkusApplication {
        @Override
        public int run(String... args) {
            EmbeddedStack.printBanner();
            Quarkus.waitForExit();
            return 0;
        }
    }

    /**
     * Quarkus has not set up logging yet, so the reason goes to the terminal as it is: each cause
     * once, leaving out bare wrappers and a message its wrapper already gave.
     */
    private static void printStartFailure(Exception e) {
        System.err.println("Governor could not start its embedded services; nothing it started is left running:");
        String shown = "";
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.toString() : t.getMessage();
            boolean bareWrapper = t.getCause() != null && message.equals(t.getCause().toString());
            if (!bareWrapper && !shown.contains(message)) {
                System.err.println("  " + message);
                shown = message;
            }
        }
        if (Boolean.getBoolean("governor.embedded.trace")) {
            e.printStackTrace();
        } else {
            System.err.println("(-Dgovernor.embedded.trace=true shows the stack trace)");
        }
    }

    /** The embedded PostgreSQL and Kafka, started before Quarkus and stopped after it. */
    static final class EmbeddedStack implements AutoCloseable {
        private static EmbeddedStack current;
        private final Path dataDir;
        private final DataDirLock lock;
        private final EmbeddedPostgres postgres;
        private final EmbeddedKafka kafka;
        private final CompletableFuture<Void> quarkusStopped = new CompletableFuture<>();
        private boolean closed;

        private EmbeddedStack(Path dataDir, DataDirLock lock, EmbeddedPostgres postgres, EmbeddedKafka kafka) {
            this.dataDir = dataDir;
            this.lock = lock;
            this.postgres = postgres;
            this.kafka = kafka;
        }

        static EmbeddedStack start() throws Exception {
            Path dataDir = Path.of(System.getProperty("governor.data-dir",
                    System.getenv().getOrDefault("GOVERNOR_DATA_DIR", ".governor"))).toAbsolutePath();
            int pgPort = port("governor.embedded.postgres-port", "GOVERNOR_EMBEDDED_POSTGRES_PORT", 5433);
            int kafkaPort = port("governor.embedded.kafka-port", "GOVERNOR_EMBEDDED_KAFKA_PORT", 9092);
            DataDirLock lock = DataDirLock.acquire(dataDir);
            try {
                String option = "GOVERNOR_EMBEDDED_KAFKA_PORT=N in the environment (Kafka takes N and N+1)";
                EmbeddedPorts.requireFree(kafkaPort, "the embedded Kafka", option);
                EmbeddedPorts.requireFree(kafkaPort + 1, "the embedded Kafka's controller", option);
                EmbeddedStack stack = start(dataDir, lock, pgPort, kafkaPort);
                current = stack;
                return stack;
            } catch (Exception e) {
                lock.close();
                throw e;
            }
        }

        /** A port from a system property, else from the environment, else the default. */
        private static int port(String property, String variable, int fallback) {
            String value = System.getProperty(property, System.getenv(variable));
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                int port = Integer.parseInt(value.trim());
                if (port > 0 && port < 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(variable + " (or -D" + property + ") must be a port number from 1 to 65534, not '"
                    + value + "'");
        }

        private static EmbeddedStack start(Path dataDir, DataDirLock lock, int pgPort, int kafkaPort) throws Exception {
            LOG.infof("Starting embedded PostgreSQL (port %d) and Kafka (port %d); data in %s", pgPort, kafkaPort, dataDir);
            LOG.warnf("Kafka has NO authentication in the embedded run: PLAINTEXT on 127.0.0.1:%d, no SASL, no ACLs, so any "
                    + "local process may write any topic (loopback only, demo). A real deployment runs the broker with "
                    + "SASL/SCRAM and ACLs (deploy/README.md, docs/adr/0018-kafka-sasl-scram-and-acls.md)", kafkaPort);
            EmbeddedPostgres postgres = new EmbeddedPostgres(dataDir.resolve("postgres"), pgPort);
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir.resolve("kafka"), kafkaPort, kafkaPort + 1);
            CompletableFuture<Void> pg = CompletableFuture.runAsync(() -> {
                try {
                    postgres.start();
                } catch (Exception e) {
                    throw new IllegalStateException("Embedded PostgreSQL failed to start: " + e.getMessage(), e);
                }
            });
            try {
                kafka.start();
                kafka.createTopics(List.of(
                        // Larger than Governor's own 1 MiB limit, so that oversized proposals reach
                        // intake and are refused with a reason instead of bouncing off the broker.
                        new NewTopic("rsi.proposals", 3, (short) 1).configs(Map.of("max.message.bytes", "4194304")),
                        new NewTopic("rsi.proposals.dlq", 1, (short) 1).configs(Map.of("max.message.bytes", "4194304")),
                        new NewTopic("rsi.decisions", 3, (short) 1),
                        new NewTopic("rsi.promotions", 1, (short) 1),
                        new NewTopic("rsi.control", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                        new NewTopic("rsi.audit.checkpoints", 1, (short) 1)));
                pg.join();
            } catch (Exception e) {
                kafka.close();
                pg.handle((v, t) -> null).join();
                postgres.close();
                throw e;
            }
            System.setProperty("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
            System.setProperty("quarkus.datasource.username", EmbeddedPostgres.APP_ROLE);
            System.setProperty("quarkus.datasource.password", postgres.appPassword());
            System.setProperty("quarkus.datasource.migration.jdbc.url", postgres.jdbcUrl());
            System.setProperty("quarkus.datasource.migration.username", EmbeddedPostgres.OWNER_ROLE);
            System.setProperty("quarkus.datasource.migration.password", postgres.ownerPassword());
            System.setProperty("kafka.bootstrap.servers", kafka.bootstrapServers());
            // The in-JVM broker is PLAINTEXT, whatever GOVERNOR_KAFKA_* the environment holds.
            System.setProperty("kafka.security.protocol", "PLAINTEXT");
            System.setProperty("governor.data-dir", dataDir.toString());
            return new EmbeddedStack(dataDir, lock, postgres, kafka);
        }

        static void printBanner() {
            EmbeddedStack s = current;
            String http = "http://127.0.0.1:" + ConfigProvider.getConfig()
                    .getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
            System.out.println("""

                    Governor is running on its embedded defaults (demo only: do not use for real governance).
                      Console    %s/console/      (sign in as alice or bob to approve, rita to verify the record)
                      API        %s/api/v1        OpenAPI %s/q/openapi   Swagger UI %s/q/swagger-ui
                      Health     %s/q/health      Metrics %s/q/metrics
                      Kafka      %s  (topics rsi.proposals, rsi.decisions, ...; PLAINTEXT, no authentication: loopback demo only)
                      PostgreSQL %s
                      Data       %s  (kept across restarts; delete it to start afresh)
                      Logins (console and HTTP Basic, password = user name, demo only):
                        alice, bob, carol  safety-officer     rita  regulator
                        adam               admin              loop-agent  proposer
                    Press Ctrl-C to stop.
                    """.formatted(http, http, http, http, http, http, s.kafka.bootstrapServers(), s.postgres.jdbcUrl(), s.dataDir));
        }

        void quarkusStopped() {
            quarkusStopped.complete(null);
        }

        /** On Ctrl-C the JVM runs its hooks at once; the brokers must outlive Governor's own shutdown. */
        void awaitQuarkusThenClose() {
            try {
                quarkusStopped.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Governor did not report its shutdown within 30 s; stopping the embedded services anyway");
            }
            close();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            kafka.close();
            postgres.close();
            try {
                lock.close();
            } catch (IOException e) {
                LOG.warnf("Could not release %s: %s", dataDir.resolve(DataDirLock.FILE), e.getMessage());
            }
            LOG.info("Embedded Kafka and PostgreSQL stopped");
        }
    }
}
