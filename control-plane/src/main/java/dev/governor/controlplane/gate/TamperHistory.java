package dev.governor.controlplane.gate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The proposals each loop sent that the policy found tampering (table {@code tamper_attempt}): the
 * policy halts a loop after too many within its window (data/tampering.json), so it is given the
 * loop's recent ones. Only the newest {@value #PER_LOOP} of the last 7 days are read; any window
 * and count the policy data sets are far below that.
 */
@ApplicationScoped
public class TamperHistory {

    static final int PER_LOOP = 50;

    /** One earlier tampering attempt: which proposal, decided when. */
    public record Attempt(String proposalId, OffsetDateTime decidedAt) {
    }

    private final EntityManager em;

    public TamperHistory(EntityManager em) {
        this.em = em;
    }

    /** Per loop, its attempts of the last 7 days, newest first, read on {@code c}. */
    public static Map<String, List<Attempt>> recent(Connection c, String[] loops) throws SQLException {
        return recent(c, loops, null);
    }

    /** The loop's recent attempts, leaving out {@code exceptProposal}'s own, in the caller's transaction. */
    public List<Attempt> recentExcept(String loopId, String exceptProposal) {
        return em.unwrap(Session.class).doReturningWork(c -> recent(c, new String[] {loopId}, exceptProposal))
                .getOrDefault(loopId, List.of());
    }

    private static Map<String, List<Attempt>> recent(Connection c, String[] loops, String exceptProposal) throws SQLException {
        Map<String, List<Attempt>> out = new HashMap<>();
        if (loops.length == 0) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select l.loop_id, a.proposal_id, a.decided_at
                  from unnest(?::text[]) as l (loop_id)
                  cross join lateral (select t.proposal_id, t.decided_at from tamper_attempt t
                                       where t.loop_id = l.loop_id and t.decided_at > now() - interval '7 days'
                                         and t.proposal_id is distinct from ?
                                       order by t.decided_at desc limit ?) as a
                 order by l.loop_id, a.decided_at desc""")) {
            ps.setArray(1, c.createArrayOf("text", loops));
            ps.setString(2, exceptProposal);
            ps.setInt(3, PER_LOOP);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Attempt(rs.getString(2), rs.getObject(3, OffsetDateTime.class)));
                }
            }
        }
        return out;
    }

    /** An attempt to keep: the loop, the proposal and the decision that found it. */
    public record Found(String loopId, String proposalId, UUID decisionId, OffsetDateTime decidedAt) {
    }

    /**
     * Keeps the attempts, in the caller's transaction, once per proposal (a proposal decided again
     * is one attempt); the decisions they name must be flushed first.
     */
    public void record(Collection<Found> attempts) {
        if (attempts.isEmpty()) {
            return;
        }
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into tamper_attempt (proposal_id, loop_id, decision_id, decided_at) "
                    + "values (?, ?, ?, ?) on conflict (proposal_id) do nothing")) {
                for (Found a : attempts) {
                    ps.setString(1, a.proposalId());
                    ps.setString(2, a.loopId());
                    ps.setObject(3, a.decisionId());
                    ps.setObject(4, a.decidedAt());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** Adds {@code attempt} as the newest of {@code earlier}. */
    public static List<Attempt> with(List<Attempt> earlier, Attempt attempt) {
        List<Attempt> out = new ArrayList<>(earlier.size() + 1);
        out.add(attempt);
        out.addAll(earlier.subList(0, Math.min(earlier.size(), PER_LOOP - 1)));
        return List.copyOf(out);
    }
}
