package dev.governor.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 15 server run from the binaries that io.zonky.test ships on Maven Central,
 * with its cluster kept in one directory so that data survives restarts.
 *
 * <p>PostgreSQL refuses to run as root; when this JVM is root the server runs as an
 * unprivileged system user ({@code postgres} if present, else {@code nobody}) through
 * {@code runuser}. Unix sockets are off: the server listens on loopback TCP only, with
 * SCRAM passwords generated on first start and kept beside the cluster (mode 0600).
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgres.class);

    public static final String OWNER_ROLE = "governor";
    public static final String APP_ROLE = "governor_app";
    public static final String DATABASE = "governor";

    private final Path home;
    private final int port;
    private final String runAsUser;
    private Path binaries;
    private Properties credentials;
    private boolean started;

    public EmbeddedPostgres(Path home, int port) {
        this.home = home.toAbsolutePath();
        this.port = port;
        this.runAsUser = Processes.isRoot() ? Processes.unprivilegedUser() : null;
    }

    public EmbeddedPostgres start() throws IOException, InterruptedException, SQLException {
        Files.createDirectories(home);
        binaries = extractBinaries();
        credentials = loadOrCreateCredentials();
        Path data = home.resolve("data");
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            initdb(data);
        }
        if (runAsUser != null) {
            Processes.run(List.of("chown", "-R", runAsUser + ":", data.toString()), Duration.ofSeconds(30));
        }
        stopClusterLeftRunning(data);
        EmbeddedPorts.requireFree(port, "the embedded PostgreSQL", "GOVERNOR_EMBEDDED_POSTGRES_PORT=N in the environment");
        Path log = home.resolve("postgres.log");
        Files.deleteIfExists(log);
        Files.createFile(log);
        if (runAsUser != null) {
            Processes.run(List.of("chown", runAsUser + ":", log.toString()), Duration.ofSeconds(10));
        }
        pgCtl(List.of("-D", data.toString(), "-l", log.toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
                "start"), Duration.ofSeconds(90));
        started = true;
        createRolesAndDatabase();
        return this;
    }

    /**
     * A Governor killed without its shutdown (SIGKILL, a crash, a power cut of the terminal) leaves
     * its PostgreSQL running on this cluster. The caller holds the data directory's lock
     * ({@link DataDirLock}), so no live Governor uses that server: it is stopped, and this run
     * starts its own.
     */
    private void stopClusterLeftRunning(Path data) throws IOException, InterruptedException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        if (Processes.exitCode(pgCtlCommand(List.of("-D", data.toString(), "status")), Duration.ofSeconds(30)) != 0) {
            return; // a stale pid file of a server that is gone; pg_ctl start handles that itself
        }
        String pid = Files.readAllLines(pidFile).stream().findFirst().orElse("?").trim();
        LOG.warnf("The embedded PostgreSQL (pid %s) was left running by a Governor that did not shut down; stopping it",
                pid);
        pgCtl(List.of("-D", data.toString(), "-m", "fast", "-w", "-t", "30", "stop"), Duration.ofSeconds(45));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String ownerPassword() {
        return credentials.getProperty(OWNER_ROLE);
    }

    public String appPassword() {
        return credentials.getProperty(APP_ROLE);
    }

    @Override
    public void close() {
        if (!started) {
            return;
        }
        started = false;
        try {
            pgCtl(List.of("-D", home.resolve("data").toString(), "-m", "fast", "-w", "-t", "30", "stop"),
                    Duration.ofSeconds(45));
        } catch (IOException | InterruptedException e) {
            LOG.errorf(e, "Embedded PostgreSQL did not stop cleanly; its cluster is in %s", home);
        }
    }

    private Path extractBinaries() throws IOException, InterruptedException {
        Path target = home.resolve("pg-binaries");
        if (Files.isExecutable(target.resolve("bin/pg_ctl"))) {
            return target;
        }
        Path partial = home.resolve("pg-binaries.partial");
        Processes.deleteRecursively(partial);
        Files.createDirectories(partial);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String zonkyArch = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "arm_64" : arch;
        try (InputStream txz = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", zonkyArch);
             TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(txz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = partial.resolve(entry.getName()).normalize();
                if (!out.startsWith(partial)) {
                    throw new IOException("PostgreSQL archive entry escapes its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createLink(out, partial.resolve(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        Files.move(partial, target);
        LOG.infof("Extracted PostgreSQL binaries to %s", target);
        return target;
    }

    private Properties loadOrCreateCredentials() throws IOException {
        Path file = home.resolve("credentials.properties");
        Properties props = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            }
            return props;
        }
        SecureRandom random = new SecureRandom();
        for (String role : List.of("postgres", OWNER_ROLE, APP_ROLE)) {
            byte[] secret = new byte[24];
            random.nextBytes(secret);
            props.setProperty(role, Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        try (var out = Files.newOutputStream(file)) {
            props.store(out, "Generated by Governor's embedded run for its own PostgreSQL cluster");
        }
        return props;
    }

    private void initdb(Path data) throws IOException, InterruptedException {
        Processes.deleteRecursively(data);
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Path pwfile = home.resolve("initdb-pw");
        Files.writeString(pwfile, credentials.getProperty("postgres") + "\n", StandardCharsets.UTF_8);
        try {
            if (runAsUser != null) {
                Processes.run(List.of("chown", "-R", runAsUser + ":", data.toString(), pwfile.toString()), Duration.ofSeconds(10));
            }
            List<String> cmd = new ArrayList<>(List.of(binaries.resolve("bin/initdb").toString(),
                    "-D", data.toString(), "-U", "postgres", "-E", "UTF8", "--locale=C",
                    "--auth=scram-sha-256", "--pwfile=" + pwfile));
            Processes.run(asServerUser(cmd), Duration.ofSeconds(120));
        } finally {
            Files.deleteIfExists(pwfile);
        }
        LOG.infof("Initialised a PostgreSQL cluster in %s", data);
    }

    private void pgCtl(List<String> args, Duration timeout) throws IOException, InterruptedException {
        Processes.run(pgCtlCommand(args), timeout);
    }

    private List<String> pgCtlCommand(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binaries.resolve("bin/pg_ctl").toString());
        cmd.addAll(args);
        return asServerUser(cmd);
    }

    private List<String> asServerUser(List<String> cmd) {
        if (runAsUser == null) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", runAsUser, "--"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    private void createRolesAndDatabase() throws SQLException {
        String adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(adminUrl, "postgres", credentials.getProperty("postgres"));
             Statement s = c.createStatement()) {
            for (String role : List.of(OWNER_ROLE, APP_ROLE)) {
                if (!exists(c, "select 1 from pg_roles where rolname = ?", role)) {
                    s.execute("create role " + role + " login password '" + credentials.getProperty(role) + "'");
                }
            }
            if (!exists(c, "select 1 from pg_database where datname = ?", DATABASE)) {
                s.execute("create database " + DATABASE + " owner " + OWNER_ROLE);
            }
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Small helpers for the external processes of the embedded run. */
    static final class Processes {
        private Processes() {
        }

        static boolean isRoot() {
            return "root".equals(System.getProperty("user.name"));
        }

        static String unprivilegedUser() {
            try {
                boolean hasPostgres = Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("postgres:"));
                return hasPostgres ? "postgres" : "nobody";
            } catch (IOException e) {
                return "nobody";
            }
        }

        /** Runs {@code cmd}; fails with its output unless it exits 0. */
        static void run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
            Finished finished = execute(cmd, timeout);
            if (finished.exitCode() != 0) {
                throw new IOException("Command failed (exit " + finished.exitCode() + "): " + String.join(" ", cmd)
                        + "\n" + finished.output());
            }
        }

        /** Runs {@code cmd} and returns its exit code, whatever it is. */
        static int exitCode(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
            return execute(cmd, timeout).exitCode();
        }

        private record Finished(int exitCode, String output) {
        }

        private static Finished execute(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("Timed out after " + timeout + ": " + String.join(" ", cmd));
            }
            return new Finished(p.exitValue(), new String(output, StandardCharsets.UTF_8));
        }

        static void deleteRecursively(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return;
            }
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
