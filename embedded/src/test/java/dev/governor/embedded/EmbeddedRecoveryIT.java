package dev.governor.embedded;

import dev.governor.controlplane.testing.GovernorProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded run when something is in its way: a port already taken is named and nothing
 * starts; a second Governor on the same data is refused while the first keeps running; and a
 * Governor killed without its shutdown leaves its PostgreSQL running, which the next start in
 * that data directory stops before starting its own.
 * Ports of their own, so that these run beside scripts/services and EmbeddedRunIT.
 */
class EmbeddedRecoveryIT {

    @Test
    void aPortInUseIsNamedAndNothingIsStarted() throws Exception {
        Path data = dataDir();
        String tail = failedStartWithPortTaken("embedded-port-taken", 28380, props(data, 29392, 25633), 29392);
        assertThat(tail)
                .contains("Governor could not start its embedded services; nothing it started is left running")
                .contains("Port 127.0.0.1:29392, which the embedded Kafka needs, is in use")
                .contains("GOVERNOR_EMBEDDED_KAFKA_PORT");
        assertThat(data.resolve("postgres")).as("no PostgreSQL was set up").doesNotExist();
        assertThat(data.resolve("kafka")).as("no Kafka was set up").doesNotExist();
        assertThat(listening(25633)).isFalse();
    }

    @Test
    void aPostgresPortInUseIsNamedAndTheKafkaStartedBesideItIsStopped() throws Exception {
        String tail = failedStartWithPortTaken("embedded-pg-port-taken", 28680, props(dataDir(), 29692, 25933), 25933);
        assertThat(tail)
                .contains("Embedded PostgreSQL failed to start: Port 127.0.0.1:25933, which the embedded PostgreSQL needs")
                .contains("GOVERNOR_EMBEDDED_POSTGRES_PORT");
        assertThat(tail.split("which the embedded PostgreSQL needs", -1)).as("said once, not per wrapper").hasSize(2);
        assertThat(listening(29692)).as("the Kafka started beside it was stopped").isFalse();
        assertThat(listening(29693)).isFalse();
    }

    /** Starts an embedded Governor while {@code takenPort} is held, expects exit code 1, returns its output. */
    private static String failedStartWithPortTaken(String name, int httpPort, List<String> props, int takenPort) throws Exception {
        try (ServerSocket taken = new ServerSocket();
             // A log of its own: GovernorProcess appends to target/<name>.log across runs.
             GovernorProcess governor = new GovernorProcess(name + "-" + UUID.randomUUID().toString().substring(0, 8),
                     httpPort, props, Map.of())) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), takenPort));
            assertThat(governor.start().awaitExit(Duration.ofSeconds(120))).isEqualTo(1);
            return governor.tail();
        }
    }

    @Test
    void aSecondGovernorOnTheSameDataIsRefusedAndAPostgresLeftByAKilledOneIsStoppedByTheNext() throws Exception {
        Path data = dataDir();
        List<String> first = props(data, 29492, 25733);
        try (GovernorProcess governor = new GovernorProcess("embedded-recovery-first", 28480, first, Map.of())) {
            governor.start().awaitReady(Duration.ofSeconds(180));

            // Other ports, same data: refused before it touches anything, and the first one is untouched.
            try (GovernorProcess second = new GovernorProcess("embedded-recovery-second", 28580,
                    props(data, 29592, 25833), Map.of())) {
                assertThat(second.start().awaitExit(Duration.ofSeconds(90))).isEqualTo(1);
                assertThat(second.tail()).contains("Another Governor is running with its data in " + data);
            }
            assertThat(listening(29592)).isFalse();
            assertThat(listening(25833)).isFalse();
            governor.awaitReady(Duration.ofSeconds(10));

            // SIGKILL: no shutdown hook runs, and the PostgreSQL server process outlives the JVM.
            governor.kill();
        }
        assertThat(listening(25733)).as("PostgreSQL of the killed Governor still runs").isTrue();
        assertThat(Files.exists(data.resolve("postgres/data/postmaster.pid"))).isTrue();

        try (GovernorProcess next = new GovernorProcess("embedded-recovery-next", 28480, first, Map.of())) {
            next.start().awaitReady(Duration.ofSeconds(180));
            assertThat(next.tail()).contains("was left running by a Governor that did not shut down; stopping it");
            assertThat(next.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 130, 143);
        }
        assertThat(listening(25733)).as("a clean shutdown stops the PostgreSQL it started").isFalse();
        assertThat(listening(29492)).isFalse();
    }

    private static Path dataDir() {
        return Path.of("target", "embedded-recovery-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    }

    private static List<String> props(Path data, int kafkaPort, int postgresPort) {
        return List.of("-Dquarkus.profile=embedded", "-Dgovernor.data-dir=" + data,
                "-Dgovernor.embedded.kafka-port=" + kafkaPort, "-Dgovernor.embedded.postgres-port=" + postgresPort);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
