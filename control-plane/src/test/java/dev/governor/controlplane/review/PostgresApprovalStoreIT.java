package dev.governor.controlplane.review;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The approval contract on PostgreSQL, through the bean Governor uses. Each subject is a proposal
 * row and a decision row of its own (the approval table refers to both), REJECTED so that no
 * review queue or sweep of the other tests sees it.
 */
@QuarkusTest
class PostgresApprovalStoreIT extends ApprovalStoreContract {

    @Inject
    ApprovalStore store;

    @Inject
    AgroalDataSource dataSource;

    @Override
    protected ApprovalStore store() {
        return store;
    }

    @Override
    protected void inTransaction(Runnable work) {
        QuarkusTransaction.requiringNew().run(work);
    }

    @Override
    protected ApprovalStore.Subject newSubject() {
        String proposalId = "approval-store-" + UUID.randomUUID();
        String digest = "a".repeat(64);
        execute("insert into proposal (proposal_id, loop_id, source_system, kind, content_digest, status, source, data, "
                + "received_at, updated_at) values (?, 'approval-store-contract', 'test', 'code_patch', ?, 'REJECTED', "
                + "'urn:test', '{}'::json, now(), now())", proposalId, digest);
        return redecided(new ApprovalStore.Subject(proposalId, null, digest));
    }

    @Override
    protected ApprovalStore.Subject redecided(ApprovalStore.Subject subject) {
        UUID decisionId = UUID.randomUUID();
        execute("insert into policy_decision (decision_id, proposal_id, path, bundle_name, bundle_revision, engine, input, "
                + "input_digest, result, outcome, tier, required_approvals, halt_loop, decided_at, metrics) values (?::uuid, ?, "
                + "'rsi/gate/decision', 'rsi', 'test', 'test', '{}'::json, ?, '{}'::json, 'REVIEW', 'standard', 1, false, now(), "
                + "'{}'::json)", decisionId.toString(), subject.proposalId(), "b".repeat(64));
        return new ApprovalStore.Subject(subject.proposalId(), decisionId, subject.contentDigest());
    }

    private void execute(String sql, String... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
