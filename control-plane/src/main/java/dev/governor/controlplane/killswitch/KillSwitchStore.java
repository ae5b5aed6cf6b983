package dev.governor.controlplane.killswitch;

import dev.governor.killswitch.state.KillSwitchState;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PendingResume;
import dev.governor.killswitch.state.Transition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** The {@code kill_switch} row and its history, in plain JDBC on the caller's connection and transaction. */
final class KillSwitchStore {

    /** How a read locks the row: none, shared (promotion: waits for a pause in flight), or exclusive (a command). */
    enum Lock {
        NONE(""), SHARE(" for share"), UPDATE(" for update");

        private final String sql;

        Lock(String sql) {
            this.sql = sql;
        }
    }

    private static final String COLUMNS = "state, epoch, reason, actor, cause, changed_at, pending_officer, pending_reason, "
            + "pending_requested_at, pending_expires_at, signature";

    private KillSwitchStore() {
    }

    static Optional<PauseState> read(Connection c, Lock lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from kill_switch where id = 'global'" + lock.sql);
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            PendingResume pending = rs.getString(7) == null ? null : new PendingResume(rs.getString(7), rs.getString(8),
                    instant(rs, 9), instant(rs, 10));
            return Optional.of(new PauseState(KillSwitchState.valueOf(rs.getString(1)), rs.getLong(2), rs.getString(3),
                    rs.getString(4), rs.getString(5), instant(rs, 6), pending, rs.getString(11)));
        }
    }

    /** Inserts the initial state unless a row exists; returns whether it did. */
    static boolean insertInitial(Connection c, PauseState initial) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into kill_switch (id, " + COLUMNS
                + ") values ('global', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing")) {
            bind(ps, initial, 1);
            return ps.executeUpdate() == 1;
        }
    }

    /** Writes the transition's new state over the row (which the caller holds locked) and adds it to the history. */
    static void write(Connection c, Transition t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update kill_switch set state = ?, epoch = ?, reason = ?, actor = ?, "
                + "cause = ?, changed_at = ?, pending_officer = ?, pending_reason = ?, pending_requested_at = ?, "
                + "pending_expires_at = ?, signature = ? where id = 'global' and epoch = ?")) {
            bind(ps, t.to(), 1);
            ps.setLong(12, t.fromEpoch());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("the kill switch changed under a held lock (expected epoch " + t.fromEpoch() + ")");
            }
        }
        PauseState to = t.to();
        try (PreparedStatement ps = c.prepareStatement("insert into kill_switch_history (epoch, kind, actor, roles, reason, "
                + "from_state, from_epoch, state, cause, pending_officer, changed_at, signature) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, to.epoch());
            ps.setString(2, t.kind().name());
            ps.setString(3, t.actor());
            ps.setArray(4, c.createArrayOf("text", t.roles().stream().sorted().toArray()));
            ps.setString(5, t.reason());
            ps.setString(6, t.from().state().name());
            ps.setLong(7, t.fromEpoch());
            ps.setString(8, to.state().name());
            ps.setString(9, to.cause());
            ps.setString(10, to.pendingResume() == null ? null : to.pendingResume().officer());
            ps.setObject(11, utc(to.changedAt()));
            ps.setString(12, to.signature());
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, PauseState s, int first) throws SQLException {
        PendingResume p = s.pendingResume();
        ps.setString(first, s.state().name());
        ps.setLong(first + 1, s.epoch());
        ps.setString(first + 2, s.reason());
        ps.setString(first + 3, s.actor());
        ps.setString(first + 4, s.cause());
        ps.setObject(first + 5, utc(s.changedAt()));
        ps.setString(first + 6, p == null ? null : p.officer());
        ps.setString(first + 7, p == null ? null : p.reason());
        ps.setObject(first + 8, p == null ? null : utc(p.requestedAt()));
        ps.setObject(first + 9, p == null ? null : utc(p.expiresAt()));
        ps.setString(first + 10, s.signature());
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant i) {
        return i.atOffset(ZoneOffset.UTC);
    }
}
