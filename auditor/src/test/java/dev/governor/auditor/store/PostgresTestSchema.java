package dev.governor.auditor.store;

import org.flywaydb.core.Flyway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A fresh schema in the real PostgreSQL database, migrated with the control plane's Flyway
 * migrations as the owner role (all of them, so that the audit log's triggers are the ones
 * deployed: V1 creates the log, V8 changes how new entries are checked), and dropped afterwards. Audit tables refuse DELETE and
 * TRUNCATE, so every test class gets its own schema instead of cleaning up rows.
 *
 * <p>Connection settings: {@code GOVERNOR_DB_URL} (system property or environment), default
 * {@code jdbc:postgresql://127.0.0.1:5432/governor}; owner {@code governor}/{@code governor},
 * application role {@code governor_app}/{@code governor_app} (demo-only credentials, overridable
 * with {@code GOVERNOR_DB_OWNER_USER}, {@code GOVERNOR_DB_OWNER_PASSWORD}, {@code GOVERNOR_DB_APP_USER},
 * {@code GOVERNOR_DB_APP_PASSWORD}). Start the database with {@code scripts/services up postgres}.
 */
public final class PostgresTestSchema implements AutoCloseable {

    static final Path MIGRATIONS = Path.of("..", "control-plane", "src", "main", "resources", "db", "migration")
            .toAbsolutePath().normalize();

    final String url = setting("GOVERNOR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/governor");
    final String ownerUser = setting("GOVERNOR_DB_OWNER_USER", "governor");
    final String ownerPassword = setting("GOVERNOR_DB_OWNER_PASSWORD", "governor");
    final String appUser = setting("GOVERNOR_DB_APP_USER", "governor_app");
    final String appPassword = setting("GOVERNOR_DB_APP_PASSWORD", "governor_app");
    final String schema = "auditor_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private PostgresTestSchema() {
    }

    public static PostgresTestSchema migrated() throws SQLException {
        PostgresTestSchema db = new PostgresTestSchema();
        if (!Files.isDirectory(MIGRATIONS)) {
            throw new IllegalStateException("migrations not found at " + MIGRATIONS);
        }
        try (Connection owner = db.connect(db.ownerUser, db.ownerPassword, null); Statement sql = owner.createStatement()) {
            sql.execute("create schema " + db.schema);
            sql.execute("grant usage on schema " + db.schema + " to " + db.appUser);
        } catch (SQLException e) {
            throw new SQLException("cannot reach PostgreSQL at " + db.url + " as " + db.ownerUser
                    + " (start it with: scripts/services up postgres): " + e.getMessage(), e);
        }
        Flyway.configure()
                .dataSource(db.url, db.ownerUser, db.ownerPassword)
                .schemas(db.schema)
                .createSchemas(false)
                .locations("filesystem:" + MIGRATIONS)
                .placeholders(Map.of("appRole", db.appUser))
                .load()
                .migrate();
        return db;
    }

    /** A connection of the application role, in a transaction (auto-commit off). */
    public Connection app() throws SQLException {
        Connection connection = connect(appUser, appPassword, schema);
        connection.setAutoCommit(false);
        return connection;
    }

    /** A connection of the owner role (the one Flyway migrates with), in a transaction. */
    public Connection owner() throws SQLException {
        Connection connection = connect(ownerUser, ownerPassword, schema);
        connection.setAutoCommit(false);
        return connection;
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

    @Override
    public void close() throws SQLException {
        try (Connection owner = connect(ownerUser, ownerPassword, null); Statement sql = owner.createStatement()) {
            sql.execute("drop schema " + schema + " cascade");
        }
    }

    private static String setting(String name, String fallback) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? fallback : value;
    }
}
