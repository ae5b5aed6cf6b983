package dev.governor.controlplane.proposal;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code proposal} table: one row per proposal id, written by intake, moved along by review and promotion. */
@ApplicationScoped
public class ProposalRepository implements PanacheRepositoryBase<ProposalEntity, String> {

    /** Content digest per proposal id, for those of {@code ids} already received; read on {@code c}, outside any transaction. */
    public static Map<String, String> contentDigests(Connection c, String[] ids) throws SQLException {
        Map<String, String> known = new HashMap<>();
        if (ids.length == 0) {
            return known;
        }
        try (PreparedStatement ps = c.prepareStatement("select proposal_id, content_digest from proposal where proposal_id = any (?)")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return known;
    }

    /**
     * For each of {@code parentIds}, the ancestry a child of it has: the stored chain is walked up
     * from the parent while it is unpromoted, to a promoted ancestor, the root, or a proposal never
     * received. Read on {@code c}, outside any transaction; one statement for all of them.
     */
    public static Map<String, Ancestry> ancestryOfChildren(Connection c, String[] parentIds) throws SQLException {
        Map<String, Ancestry> out = new HashMap<>();
        if (parentIds.length == 0) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                with recursive walk (start_id, node_id, steps, found, promoted, parent_id) as (
                    select s.id, s.id, 1, p.proposal_id is not null, p.status = 'PROMOTED', p.parent_id
                      from unnest(?::text[]) as s (id)
                      left join proposal p on p.proposal_id = s.id
                    union all
                    select w.start_id, w.parent_id, w.steps + 1, p.proposal_id is not null, p.status = 'PROMOTED', p.parent_id
                      from walk w
                      left join proposal p on p.proposal_id = w.parent_id
                     where w.found and not w.promoted and w.parent_id is not null and w.steps < ?
                )
                select start_id,
                       count(*) filter (where found and not promoted),
                       bool_or(not found)
                  from walk
                 group by start_id""")) {
            ps.setArray(1, c.createArrayOf("text", parentIds));
            ps.setInt(2, Ancestry.MAX_WALK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean unknown = rs.getBoolean(3);
                    out.put(rs.getString(1), new Ancestry(Math.min(rs.getInt(2) + (unknown ? 1 : 0), Ancestry.MAX_WALK), unknown));
                }
            }
        }
        return out;
    }

    /** Oldest first, so that the review queue is worked in arrival order. */
    public List<ProposalEntity> list(ProposalStatus status, String loopId, String submittedBy, boolean newestFirst, int page, int size) {
        StringBuilder query = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (status != null) {
            query.append(" and status = :status");
            params = params.and("status", status);
        }
        if (loopId != null) {
            query.append(" and loopId = :loopId");
            params = params.and("loopId", loopId);
        }
        if (submittedBy != null) {
            query.append(" and submittedBy = :submittedBy");
            params = params.and("submittedBy", submittedBy);
        }
        Sort order = newestFirst ? Sort.descending("receivedAt", "proposalId") : Sort.ascending("receivedAt", "proposalId");
        return find(query.toString(), order, params)
                .page(Page.of(page, size))
                .list();
    }
}
