package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.security.Actor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The policy bundles Governor can evaluate with (table {@code policy_bundle}, append-only) and the
 * one row that says which revision is in force everywhere ({@code policy_active}). Statements run
 * on the caller's connection, since {@link PolicyActivation} holds the row lock across them.
 */
final class BundleStore {

    /** A bundle Governor knows. */
    public record Bundle(String revision, String source, String bundleSha256, String addedBy, OffsetDateTime addedAt) {
    }

    /** The row that says what is in force. */
    public record Active(String revision, String source, String deployedRevision, String activatedBy, OffsetDateTime activatedAt,
                         String reason) {
    }

    /** A stored bundle's policy and data (JSON text), as an engine is built from them. */
    record Parts(byte[] wasm, String data) {
    }

    private BundleStore() {
    }

    static List<Bundle> list(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select revision, source, bundle_sha256, added_by, added_at from policy_bundle "
                + "order by added_at desc, revision");
             ResultSet rs = ps.executeQuery()) {
            List<Bundle> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Bundle(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class)));
            }
            return out;
        }
    }

    static Optional<Bundle> readBundle(Connection c, String revision) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select revision, source, bundle_sha256, added_by, added_at from policy_bundle "
                + "where revision = ?")) {
            ps.setString(1, revision);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Bundle(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class)));
            }
        }
    }

    static Optional<Parts> parts(Connection c, String revision) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select wasm, data::text from policy_bundle where revision = ?")) {
            ps.setString(1, revision);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Parts(rs.getBytes(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    /** Stores a bundle unless its revision is already stored. */
    static void insertBundle(Connection c, String revision, String source, byte[] wasm, JsonNode data, String sha256,
                             Actor actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into policy_bundle (revision, source, wasm, data, bundle_sha256, "
                + "added_by, added_at) values (?, ?, ?, cast(? as jsonb), ?, ?, ?) on conflict (revision) do nothing")) {
            ps.setString(1, revision);
            ps.setString(2, source);
            ps.setBytes(3, wasm);
            ps.setString(4, data.toString());
            ps.setString(5, sha256);
            ps.setString(6, actor.toString());
            ps.setObject(7, OffsetDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /** The row in force; {@code lock} takes it {@code FOR UPDATE} until the caller's transaction ends. */
    static Optional<Active> readActive(Connection c, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select revision, source, deployed_revision, activated_by, activated_at, reason "
                + "from policy_active where id = 1" + (lock ? " for update" : ""));
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Active(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getObject(5, OffsetDateTime.class), rs.getString(6)));
        }
    }

    /**
     * Puts {@code revision} into force: updates the row, or writes the first one. {@code shipped}
     * is the revision this release ships; a deployment records the revision itself as deployed.
     */
    static void writeActive(Connection c, boolean exists, String revision, String source, String shipped, Actor actor, String reason)
            throws SQLException {
        String sql = exists
                ? "update policy_active set revision = ?, source = ?, deployed_revision = ?, activated_by = ?, activated_at = ?, "
                        + "reason = ? where id = 1"
                : "insert into policy_active (revision, source, deployed_revision, activated_by, activated_at, reason, id) "
                        + "values (?, ?, ?, ?, ?, ?, 1) on conflict (id) do nothing";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, revision);
            ps.setString(2, source);
            ps.setString(3, source.equals("deployment") ? revision : shipped);
            ps.setString(4, actor.toString());
            ps.setObject(5, OffsetDateTime.now(ZoneOffset.UTC));
            ps.setString(6, reason);
            ps.executeUpdate();
        }
    }

    /** The revision the last {@code policy.activated} audit entry names, if any. */
    static String lastActivationAudited(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("select policy_revision from audit_entry where event_type = ? "
                + "order by entry_index desc limit 1")) {
            ps.setString(1, AuditEventType.POLICY_ACTIVATED.type());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the last policy activation: " + e.getMessage(), e);
        }
    }
}
