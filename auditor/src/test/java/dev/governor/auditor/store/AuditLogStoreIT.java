package dev.governor.auditor.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.governor.auditor.checkpoint.Checkpoint;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.log.CompactRange;
import dev.governor.auditor.log.ConsistencyProof;
import dev.governor.auditor.log.InclusionProof;
import dev.governor.auditor.log.ProofVerifier;
import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit log on a real PostgreSQL 15, through the application role and the owner role. */
class AuditLogStoreIT {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00.123456Z");
    private static PostgresTestSchema db;
    private final AuditLogStore store = new AuditLogStore();

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

    static AuditEvent event(String type, String proposalId, String actor, int n) {
        return new AuditEvent(type, proposalId, actor, "rev-" + (n % 3), T0.plusSeconds(n),
                JsonNodeFactory.instance.objectNode().put("n", n).put("note", "event " + n));
    }

    @Test
    void appendedEntriesGetConsecutiveIndexesAndTheTreeHeadOfTheirLeaves() throws SQLException {
        try (Connection c = db.app()) {
            long before = store.size(c);
            List<AuditEvent> events = List.of(event("proposal.received", "p-1", "loop-a", 1),
                    event("policy.decision", "p-1", "opa", 2), event("approval", "p-1", "alice", 3));

            AppendResult result = store.append(c, events);
            c.commit();

            assertThat(result.firstIndex()).isEqualTo(before);
            assertThat(result.lastIndex()).isEqualTo(before + 2);
            assertThat(store.treeHead(c)).isEqualTo(result.treeHead()).isEqualTo(recomputedHead(c));
            AuditEntry stored = store.entry(c, before + 2).orElseThrow();
            assertThat(stored.leaf()).isEqualTo(events.get(2).leaf());
            assertThat(stored.leafHash()).isEqualTo(TreeHasher.hashLeaf(events.get(2).leaf()));
            assertThat(stored.event()).isEqualTo(events.get(2));
            assertThat(stored.actor()).isEqualTo("alice");
            assertThat(stored.occurredAt()).isEqualTo(T0.plusSeconds(3));
        }
    }

    @Test
    void anEntryRollsBackWithTheCallersTransactionAndItsIndexIsReused() throws SQLException {
        try (Connection c = db.app()) {
            long before = store.size(c);
            store.append(c, event("approval", "p-rollback", "bob", 10));
            c.rollback();

            assertThat(store.size(c)).isEqualTo(before);
            assertThat(store.entries(c, AuditQuery.all().withProposalId("p-rollback"))).isEmpty();
            long index = store.append(c, event("rejection", "p-rollback", "bob", 11));
            c.commit();
            assertThat(index).isEqualTo(before);
            assertThat(store.treeHead(c)).isEqualTo(recomputedHead(c));
        }
    }

    @Test
    void aGovernanceRowAndItsAuditEntryCommitTogetherOrNotAtAll() throws SQLException {
        try (Connection owner = db.owner(); Statement sql = owner.createStatement()) {
            sql.execute("create table if not exists governance_action (id text primary key)");
            sql.execute("grant select, insert on governance_action to " + db.appUser);
            owner.commit();
        }
        try (Connection c = db.app()) {
            long before = store.size(c);
            insertAction(c, "act-1");
            store.append(c, event("promotion", "p-act", "carol", 20));
            assertThatThrownBy(() -> insertAction(c, "act-1")).isInstanceOf(SQLException.class);
            c.rollback();

            assertThat(store.size(c)).isEqualTo(before);
            insertAction(c, "act-1");
            store.append(c, event("promotion", "p-act", "carol", 21));
            c.commit();
            assertThat(store.size(c)).isEqualTo(before + 1);
        }
    }

    @Test
    void concurrentAppendersOnSeveralConnectionsLeaveNoGapsAndNoDuplicates() throws Exception {
        int writers = 6;
        int transactionsEach = 25;
        long before;
        try (Connection c = db.app()) {
            before = store.size(c);
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Set<String>>> committed = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            committed.add(pool.submit(() -> {
                Set<String> mine = new HashSet<>();
                Random random = new Random(writer);
                try (Connection c = db.app()) {
                    for (int t = 0; t < transactionsEach; t++) {
                        List<AuditEvent> batch = new ArrayList<>();
                        List<String> ids = new ArrayList<>();
                        for (int k = 0; k < 1 + random.nextInt(5); k++) {
                            String id = "w" + writer + "-t" + t + "-k" + k;
                            ids.add(id);
                            batch.add(new AuditEvent("concurrency.test", id, "writer-" + writer, null, T0,
                                    JsonNodeFactory.instance.objectNode().put("id", id)));
                        }
                        store.append(c, batch);
                        if (random.nextInt(5) == 0) {
                            c.rollback();
                        } else {
                            c.commit();
                            mine.addAll(ids);
                        }
                    }
                }
                return mine;
            }));
        }
        Set<String> expected = new HashSet<>();
        for (Future<Set<String>> f : committed) {
            expected.addAll(f.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();

        try (Connection c = db.app()) {
            long size = store.size(c);
            List<AuditEntry> written = store.entries(c, before, size);
            assertThat(size - before).isEqualTo(expected.size());
            for (int i = 0; i < written.size(); i++) {
                assertThat(written.get(i).index()).isEqualTo(before + i);
            }
            assertThat(written.stream().map(AuditEntry::proposalId)).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(store.treeHead(c)).isEqualTo(recomputedHead(c));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "update audit_entry set actor = 'mallory'",
            "delete from audit_entry",
            "truncate audit_entry",
            "update audit_tree_node set hash = hash",
            "delete from audit_tree_node",
            "truncate audit_tree_node",
            "update audit_checkpoint set signed_note = ''",
            "delete from audit_checkpoint",
            "truncate audit_checkpoint",
    })
    void theApplicationRoleCannotChangeOrRemoveAnything(String statement) throws SQLException {
        ensureSomeEntries();
        try (Connection c = db.app(); Statement sql = c.createStatement()) {
            assertThatThrownBy(() -> sql.execute(statement)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "update audit_entry set actor = 'mallory'",
            "delete from audit_entry where entry_index = 0",
            "truncate audit_entry cascade",
            "update audit_tree_node set hash = hash",
            "delete from audit_tree_node",
            "truncate audit_tree_node",
            "update audit_checkpoint set signed_note = ''",
            "delete from audit_checkpoint",
            "truncate audit_checkpoint",
    })
    void triggersRefuseChangesEvenFromTheOwner(String statement) throws SQLException {
        ensureSomeEntries();
        try (Connection c = db.owner(); Statement sql = c.createStatement()) {
            assertThatThrownBy(() -> sql.execute(statement)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("the audit log is append-only");
            c.rollback();
        }
    }

    @Test
    void anEntryThatSkipsAnIndexIsRefusedEvenWhenInsertedDirectly() throws SQLException {
        ensureSomeEntries();
        try (Connection c = db.app()) {
            long size = store.size(c);
            byte[] leaf = "{\"type\":\"forged\"}".getBytes();
            assertThatThrownBy(() -> insertRaw(c, size + 5, leaf, TreeHasher.hashLeaf(leaf)))
                    .hasMessageContaining("is not the next index");
            c.rollback();
            assertThatThrownBy(() -> insertRaw(c, size - 1, leaf, TreeHasher.hashLeaf(leaf)))
                    .isInstanceOf(SQLException.class);
            c.rollback();
        }
    }

    @Test
    void anEntryWhoseLeafHashDoesNotMatchItsLeafIsRefused() throws SQLException {
        try (Connection c = db.app()) {
            long size = store.size(c);
            byte[] leaf = "{\"type\":\"forged\"}".getBytes();
            assertThatThrownBy(() -> insertRaw(c, size, leaf, TreeHasher.hashLeaf("{}".getBytes())))
                    .hasMessageContaining("leaf_hash is not SHA-256(0x00 || leaf)");
            c.rollback();
        }
    }

    @Test
    void oneStatementInsertingSeveralEntriesIsCheckedEntryByEntry() throws SQLException {
        ensureSomeEntries();
        byte[] leaf = "{\"type\":\"forged\"}".getBytes();
        byte[] hash = TreeHasher.hashLeaf(leaf);
        try (Connection c = db.app()) {
            long size = store.size(c);
            // The next index and then one beyond it: a gap inside the statement.
            assertThatThrownBy(() -> insertRaw(c, new long[] {size, size + 2}, leaf, new byte[][] {hash, hash}))
                    .hasMessageContaining("audit entry " + (size + 2) + " is not the next index " + (size + 1));
            c.rollback();
            // Consecutive, but the second leaf hash does not match its leaf.
            assertThatThrownBy(() -> insertRaw(c, new long[] {size, size + 1}, leaf, new byte[][] {hash, TreeHasher.hashLeaf("{}".getBytes())}))
                    .hasMessageContaining("audit entry " + (size + 1) + ": leaf_hash is not SHA-256(0x00 || leaf)");
            c.rollback();
            // Consecutive and matching: accepted, as the store's own appends are.
            insertRaw(c, new long[] {size, size + 1}, leaf, new byte[][] {hash, hash});
            assertThat(store.size(c)).isEqualTo(size + 2);
            c.rollback();
        }
    }

    @Test
    void proofsFromTheStoreVerifyAgainstPublishedSignedCheckpoints() throws SQLException {
        String origin = "governor.dev/audit/it";
        NoteSigner key = NoteSigner.generate(origin, new SecureRandom());
        CheckpointSigner signer = new CheckpointSigner(origin, key);
        CheckpointVerifier verifier = new CheckpointVerifier(origin, key.verifier());
        try (Connection c = db.app()) {
            for (int i = 0; i < 40; i++) {
                store.append(c, event("proof.test", "p-proof-" + i, "dave", 100 + i));
            }
            c.commit();
            StoredCheckpoint first = store.publishCheckpoint(c, signer);
            c.commit();
            for (int i = 40; i < 77; i++) {
                store.append(c, event("proof.test", "p-proof-" + i, "dave", 100 + i));
            }
            c.commit();
            StoredCheckpoint second = store.publishCheckpoint(c, signer);
            c.commit();

            Checkpoint older = verifier.open(first.signedNote());
            Checkpoint newer = verifier.open(second.signedNote());
            assertThat(store.latestCheckpoint(c)).contains(second);
            assertThat(store.publishCheckpoint(c, signer)).isEqualTo(second);

            for (AuditEntry entry : store.entries(c, 0, newer.size())) {
                InclusionProof proof = store.inclusionProof(c, entry.index(), newer.size());
                assertThatCode(() -> ProofVerifier.verifyInclusion(entry.leafHash(), proof, newer.treeHead()))
                        .doesNotThrowAnyException();
            }
            ConsistencyProof consistency = store.consistencyProof(c, older.size(), newer.size());
            assertThatCode(() -> ProofVerifier.verifyConsistency(consistency, older.treeHead(), newer.treeHead()))
                    .doesNotThrowAnyException();
            assertThatThrownBy(() -> store.inclusionProof(c, 0, newer.size() + 1)).hasMessageContaining("beyond the log");
        }
    }

    @Test
    void appendsOutsideATransactionOrAtAnotherIsolationLevelAreRefused() throws SQLException {
        try (Connection c = db.app()) {
            c.setAutoCommit(true);
            assertThatThrownBy(() -> store.append(c, event("approval", "p-x", "erin", 1)))
                    .isInstanceOf(AuditStoreException.class).hasMessageContaining("auto-commit");
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertThatThrownBy(() -> store.append(c, event("approval", "p-x", "erin", 1)))
                    .isInstanceOf(AuditStoreException.class).hasMessageContaining("READ COMMITTED");
        }
    }

    @Test
    void regulatorQueriesFilterByProposalActorTypeRevisionAndTimeAndPageByIndex() throws SQLException {
        try (Connection c = db.app()) {
            List<AuditEvent> events = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                events.add(event(i % 2 == 0 ? "approval" : "rejection", "p-query", "officer-" + (i % 3), 1000 + i));
            }
            long first = store.append(c, events).firstIndex();
            c.commit();
            AuditQuery proposal = AuditQuery.all().withProposalId("p-query");

            assertThat(store.entries(c, proposal)).hasSize(12);
            assertThat(store.entries(c, proposal.withActor("officer-1"))).extracting(AuditEntry::index)
                    .containsExactly(first + 1, first + 4, first + 7, first + 10);
            assertThat(store.entries(c, proposal.withType("rejection").withPolicyRevision("rev-1")))
                    .extracting(AuditEntry::index).containsExactly(first + 3, first + 9);
            assertThat(store.entries(c, proposal.between(T0.plusSeconds(1002), T0.plusSeconds(1005))))
                    .extracting(AuditEntry::index).containsExactly(first + 2, first + 3, first + 4);
            List<AuditEntry> page = store.entries(c, proposal.page(first + 4, 5));
            assertThat(page).extracting(AuditEntry::index).containsExactly(first + 5, first + 6, first + 7, first + 8, first + 9);
        }
    }

    private void ensureSomeEntries() throws SQLException {
        try (Connection c = db.app()) {
            if (store.size(c) == 0) {
                store.append(c, event("seed", "p-seed", "seed", 0));
                c.commit();
            }
            if (store.latestCheckpoint(c).isEmpty()) {
                store.publishCheckpoint(c, new CheckpointSigner("seed", NoteSigner.generate("seed", new SecureRandom())));
                c.commit();
            }
        }
    }

    private TreeHead recomputedHead(Connection c) {
        CompactRange range = CompactRange.empty();
        for (AuditEntry entry : store.entries(c, 0, store.size(c))) {
            range.append(TreeHasher.hashLeaf(entry.leaf()));
        }
        return range.treeHead();
    }

    private static void insertAction(Connection c, String id) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into governance_action (id) values (?)")) {
            insert.setString(1, id);
            insert.executeUpdate();
        }
    }

    /** Several entries in one INSERT statement, as the store appends them. */
    private static void insertRaw(Connection c, long[] indexes, byte[] leaf, byte[][] leafHashes) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                insert into audit_entry (entry_index, leaf, leaf_hash, event_type, occurred_at)
                select i, ?, h, 'forged', now() from unnest(?::bigint[], ?::bytea[]) as x (i, h)""")) {
            insert.setBytes(1, leaf);
            insert.setArray(2, c.createArrayOf("int8", java.util.Arrays.stream(indexes).boxed().toArray()));
            insert.setArray(3, c.createArrayOf("bytea", leafHashes));
            insert.executeUpdate();
        }
    }

    private static void insertRaw(Connection c, long index, byte[] leaf, byte[] leafHash) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                insert into audit_entry (entry_index, leaf, leaf_hash, event_type, occurred_at)
                values (?, ?, ?, 'forged', now())""")) {
            insert.setLong(1, index);
            insert.setBytes(2, leaf);
            insert.setBytes(3, leafHash);
            insert.executeUpdate();
        }
    }
}
