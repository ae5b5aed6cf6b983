package dev.governor.auditor.store;

import dev.governor.auditor.log.NodeStore;
import dev.governor.auditor.log.NodeStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.SQLException;

/** The node store contract on PostgreSQL; each test writes in a transaction that is rolled back. */
class JdbcNodeStoreIT extends NodeStoreContract {

    private static PostgresTestSchema db;
    private Connection connection;

    @BeforeAll
    static void migrate() throws SQLException {
        db = PostgresTestSchema.migrated();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (db != null) {
            db.close();
        }
    }

    @Override
    protected NodeStore newStore() throws SQLException {
        connection = db.app();
        return new JdbcNodeStore(connection);
    }

    @AfterEach
    void rollBack() throws SQLException {
        if (connection != null) {
            connection.rollback();
            connection.close();
        }
    }
}
