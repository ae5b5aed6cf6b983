package dev.governor.controlplane.review;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.ArrayList;

/** {@link ApprovalStore} on PostgreSQL; "counts" is decided by the database's clock, in the one query below. */
@ApplicationScoped
public class PostgresApprovalStore implements ApprovalStore {

    private final AgroalDataSource dataSource;

    public PostgresApprovalStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void record(Subject subject, String approverSubject, String approver, String comment, OffsetDateTime approvedAt,
                       OffsetDateTime expiresAt) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("insert into approval (approval_id, proposal_id, decision_id, content_digest, "
                     + "approver_subject, approver, comment, approved_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     + "on conflict (proposal_id, decision_id, approver_subject) do update set approved_at = excluded.approved_at, "
                     + "expires_at = excluded.expires_at, comment = excluded.comment")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, subject.proposalId());
            ps.setObject(3, subject.decisionId());
            ps.setString(4, subject.contentDigest());
            ps.setString(5, approverSubject);
            ps.setString(6, approver);
            ps.setString(7, comment);
            ps.setObject(8, approvedAt);
            ps.setObject(9, expiresAt);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not record the approval of " + subject.proposalId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, List<Recorded>> approvals(Collection<Subject> subjects) {
        Map<String, List<Recorded>> out = new LinkedHashMap<>();
        List<Subject> known = subjects.stream().filter(s -> s.decisionId() != null).toList();
        if (known.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select a.proposal_id, a.decision_id, a.content_digest, a.approver_subject, a.approver, a.comment,
                            a.approved_at, a.expires_at, a.content_digest = s.digest and a.expires_at > now()
                       from unnest(?::text[], ?::uuid[], ?::text[]) as s (proposal_id, decision_id, digest)
                       join approval a on a.proposal_id = s.proposal_id and a.decision_id = s.decision_id
                      order by a.approved_at, a.approver_subject""")) {
            ps.setArray(1, c.createArrayOf("text", known.stream().map(Subject::proposalId).toArray()));
            ps.setArray(2, c.createArrayOf("uuid", known.stream().map(Subject::decisionId).toArray()));
            ps.setArray(3, c.createArrayOf("text", known.stream().map(Subject::contentDigest).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Recorded(rs.getString(1),
                            rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class), rs.getBoolean(9)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the approvals: " + e.getMessage(), e);
        }
        return out;
    }
}
