package dev.governor.auditor.evidence;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.governor.auditor.checkpoint.CheckpointSigner;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteSigner;
import dev.governor.auditor.store.AuditEvent;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.auditor.store.PostgresTestSchema;
import dev.governor.auditor.store.StoredCheckpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Someone with the owner's or a superuser's power switches the append-only triggers off and edits
 * the stored log; the audit names the first entry affected, and offline checks of an export fail.
 */
class TamperDetectionIT {

    private static final String ORIGIN = "governor.dev/audit/tamper-it";

    private final AuditLogStore store = new AuditLogStore();
    private final NoteSigner key = NoteSigner.generate(ORIGIN, new SecureRandom());
    private final CheckpointSigner signer = new CheckpointSigner(ORIGIN, key);
    private final CheckpointVerifier checkpoints = new CheckpointVerifier(ORIGIN, key.verifier());
    private final StoredLogAudit audit = new StoredLogAudit(store, checkpoints);
    private PostgresTestSchema db;

    @BeforeEach
    void fiftyEntriesWithCheckpointsAtTwentyAndFifty() throws SQLException {
        db = PostgresTestSchema.migrated();
        try (Connection c = db.app()) {
            for (int i = 0; i < 50; i++) {
                store.append(c, new AuditEvent("approval", "p-" + (i % 4), "dave", "rev-7",
                        Instant.parse("2026-11-25T09:00:00Z").plusSeconds(i), JsonNodeFactory.instance.objectNode().put("i", i)));
                c.commit();
                if (i + 1 == 20 || i + 1 == 50) {
                    store.publishCheckpoint(c, signer);
                    c.commit();
                }
            }
        }
    }

    @AfterEach
    void dropSchema() throws SQLException {
        db.close();
    }

    @Test
    void anUntouchedLogPassesTheAuditAndItsExportAndEvidenceVerifyOffline() throws Exception {
        try (Connection c = db.app()) {
            VerificationReport report = audit.audit(c);
            assertThat(report.verified()).as(report.summary()).isTrue();
            assertThat(report.checkedEntries()).isEqualTo(50);

            StoredCheckpoint latest = store.latestCheckpoint(c).orElseThrow();
            OfflineVerifier offline = new OfflineVerifier(ORIGIN, List.of(key.verifier()));
            assertThat(offline.verifyExport(export(c).iterator(), latest.signedNote()).verified()).isTrue();
            EvidenceBundle bundle = new EvidenceBundles(store, checkpoints, key.verifier().verifierKey())
                    .forProposal(c, "p-2", latest, ORIGIN);
            assertThat(bundle.entries()).hasSize(12);
            VerificationReport bundleReport = offline.verifyBundle(EvidenceJson.readBundle(EvidenceJson.write(bundle)));
            assertThat(bundleReport.verified()).as(bundleReport.summary()).isTrue();
        }
    }

    @Test
    void aChangedByteInALeafIsNamedByItsIndex() throws Exception {
        tamper("update audit_entry set leaf = overlay(leaf placing '\\x58'::bytea from 3 for 1) where entry_index = 17");

        assertFirstBadIndex(17, "leaf hash");
    }

    @Test
    void aLeafRewrittenWithItsHashAndColumnsIsCaughtByTheStoredTreeNode() throws Exception {
        tamper(rewriteActor(17));

        assertFirstBadIndex(17, "tree node");
    }

    @Test
    void aLeafRewrittenWithItsLeafNodeIsCaughtOneLevelUp() throws Exception {
        tamper(rewriteActor(17),
                "update audit_tree_node n set hash = e.leaf_hash from audit_entry e where n.level = 0 and n.node_index = 17 and e.entry_index = 17");

        try (Connection c = db.app()) {
            VerificationReport report = audit.audit(c);
            assertThat(report.verified()).isFalse();
            assertThat(report.firstBadIndex()).isBetween(16L, 17L);
            assertThat(report.problem()).contains("level 1");
        }
    }

    @Test
    void aDeletedEntryIsNamedByItsIndex() throws Exception {
        tamper("delete from audit_entry where entry_index = 33");

        assertFirstBadIndex(33, "missing");
    }

    @Test
    void twoSwappedEntriesAreNamedByTheFirst() throws Exception {
        tamper("""
                update audit_entry a set leaf = b.leaf, leaf_hash = b.leaf_hash, proposal_id = b.proposal_id, occurred_at = b.occurred_at
                  from audit_entry b where (a.entry_index, b.entry_index) in ((10, 11), (11, 10))""");

        assertFirstBadIndex(10, "tree node");
    }

    @Test
    void aTruncatedLogIsNamedByTheFirstRemovedIndex() throws Exception {
        tamper("delete from audit_entry where entry_index >= 40");

        assertFirstBadIndex(40, "removed");
        try (Connection c = db.app()) {
            VerificationReport offline = new OfflineVerifier(ORIGIN, List.of(key.verifier()))
                    .verifyExport(export(c).iterator(), store.latestCheckpoint(c).orElseThrow().signedNote());
            assertThat(offline.firstBadIndex()).isEqualTo(40);
        }
    }

    @Test
    void aForgedEntryInsertedAtTheEndIsNamedAsNeverIntegrated() throws Exception {
        tamper("""
                insert into audit_entry (entry_index, leaf, leaf_hash, event_type, occurred_at)
                select 50, convert_to('{"occurredAt":"2026-11-25T09:00:00Z","type":"approval"}', 'UTF8'),
                       sha256('\\x00'::bytea || convert_to('{"occurredAt":"2026-11-25T09:00:00Z","type":"approval"}', 'UTF8')),
                       'approval', '2026-11-25T09:00:00Z'""");

        assertFirstBadIndex(50, "never integrated");
    }

    @Test
    void aChangedQueryColumnIsNamedByItsIndex() throws Exception {
        tamper("update audit_entry set actor = 'mallory' where entry_index = 25");

        assertFirstBadIndex(25, "query columns");
    }

    private void assertFirstBadIndex(long index, String problem) throws SQLException {
        try (Connection c = db.app()) {
            VerificationReport report = audit.audit(c);
            assertThat(report.verified()).isFalse();
            assertThat(report.firstBadIndex()).as(report.summary()).isEqualTo(index);
            assertThat(report.problem()).contains(problem);
        }
    }

    private static String rewriteActor(long index) {
        return """
                update audit_entry
                   set leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"actor":"dave"', '"actor":"erin"'), 'UTF8'),
                       leaf_hash = sha256('\\x00'::bytea || convert_to(replace(convert_from(leaf, 'UTF8'), '"actor":"dave"', '"actor":"erin"'), 'UTF8')),
                       actor = 'erin'
                 where entry_index = %d""".formatted(index);
    }

    /** Runs statements as the owner with the append-only triggers switched off, as an attacker with that power would. */
    private void tamper(String... statements) throws SQLException {
        try (Connection owner = db.owner(); Statement sql = owner.createStatement()) {
            sql.execute("alter table audit_entry disable trigger user");
            sql.execute("alter table audit_tree_node disable trigger user");
            for (String statement : statements) {
                sql.execute(statement);
            }
            sql.execute("alter table audit_entry enable trigger user");
            sql.execute("alter table audit_tree_node enable trigger user");
            owner.commit();
        }
    }

    private List<ExportedEntry> export(Connection c) throws Exception {
        StringWriter out = new StringWriter();
        EvidenceBundles.export(c, store, store.size(c), out);
        return out.toString().lines().map(line -> EvidenceJson.readExportLine(line, 0)).toList();
    }
}
