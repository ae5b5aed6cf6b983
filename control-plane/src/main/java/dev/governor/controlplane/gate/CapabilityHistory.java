package dev.governor.controlplane.gate;

import dev.governor.controlplane.proposal.Proposal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The capability scores each loop's proposals reported (table {@code capability_observation}):
 * what the rate-of-improvement rule compares a new proposal against. Only the lowest score of the
 * last 7 days per loop and domain is ever read, so one row per domain stands for any number of
 * earlier proposals.
 */
@ApplicationScoped
public class CapabilityHistory {

    private final EntityManager em;

    public CapabilityHistory(EntityManager em) {
        this.em = em;
    }

    /** Per loop, the lowest score per domain within the last 7 days, read on {@code c}. */
    public static Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest(Connection c, String[] loops) throws SQLException {
        return lowest(c, loops, null);
    }

    /** The loop's lowest score per domain within the last 7 days, leaving out the scores of {@code exceptProposal}. */
    public Map<String, PolicyGate.CapabilityObservation> lowestExcept(String loopId, String exceptProposal) {
        return em.unwrap(Session.class).doReturningWork(c -> lowest(c, new String[] {loopId}, exceptProposal))
                .getOrDefault(loopId, Map.of());
    }

    private static Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest(Connection c, String[] loops,
                                                                                  String exceptProposal) throws SQLException {
        Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest = new HashMap<>();
        if (loops.length == 0) {
            return lowest;
        }
        // Each loop's domains, found by skipping along the index from one domain to the next, then
        // per domain the lowest score of the week, the first index entry in score order: a few
        // index probes per loop and domain, however many observations the week holds (V7).
        try (PreparedStatement ps = c.prepareStatement("""
                with recursive domains (loop_id, domain) as (
                    select l.loop_id, d.domain
                      from unnest(?::text[]) as l (loop_id)
                      cross join lateral (select o.domain from capability_observation o
                                           where o.loop_id = l.loop_id order by o.domain limit 1) as d
                    union all
                    select p.loop_id, d.domain
                      from domains p
                      cross join lateral (select o.domain from capability_observation o
                                           where o.loop_id = p.loop_id and o.domain > p.domain
                                           order by o.domain limit 1) as d
                )
                select p.loop_id, p.domain, lowest.score, lowest.observed_at
                  from domains p
                  cross join lateral (select o.score, o.observed_at from capability_observation o
                                       where o.loop_id = p.loop_id and o.domain = p.domain
                                         and o.observed_at > now() - interval '7 days'
                                         and o.proposal_id is distinct from ?
                                       order by o.score, o.observed_at limit 1) as lowest""")) {
            ps.setArray(1, c.createArrayOf("text", loops));
            ps.setString(2, exceptProposal);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lowest.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2),
                            new PolicyGate.CapabilityObservation(rs.getString(2), rs.getDouble(3),
                                    rs.getObject(4, OffsetDateTime.class)));
                }
            }
        }
        return lowest;
    }

    /** The numeric scores a proposal reports, as observations made at {@code now}. */
    public static List<PolicyGate.CapabilityObservation> observations(Proposal proposal, OffsetDateTime now) {
        return java.util.stream.StreamSupport.stream(proposal.data().path("capabilityEvals").spliterator(), false)
                .filter(eval -> eval.path("score").isNumber())
                .map(eval -> new PolicyGate.CapabilityObservation(eval.path("domain").asText(), eval.path("score").asDouble(), now))
                .toList();
    }

    /** Keeps {@code o} in {@code loop} if it is the lowest of its domain so far. */
    public static void lower(Map<String, PolicyGate.CapabilityObservation> loop, PolicyGate.CapabilityObservation o) {
        PolicyGate.CapabilityObservation current = loop.get(o.domain());
        if (current == null || o.score() < current.score()) {
            loop.put(o.domain(), o);
        }
    }

    /** Records the scores of the proposals, in the caller's transaction, in one batched statement. */
    public void record(Collection<Proposal> proposals, OffsetDateTime now) {
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into capability_observation (loop_id, domain, score, proposal_id, observed_at) values (?, ?, ?, ?, ?)")) {
                int rows = 0;
                for (Proposal p : proposals) {
                    for (PolicyGate.CapabilityObservation o : observations(p, now)) {
                        ps.setString(1, p.loopId());
                        ps.setString(2, o.domain());
                        ps.setDouble(3, o.score());
                        ps.setString(4, p.proposalId());
                        ps.setObject(5, now);
                        ps.addBatch();
                        rows++;
                    }
                }
                if (rows > 0) {
                    ps.executeBatch();
                }
            }
        });
    }
}
