package dev.governor.controlplane.proposal;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

@ApplicationScoped
public class ProposalRepository implements PanacheRepositoryBase<ProposalEntity, String> {

    /** Oldest first, so that the review queue is worked in arrival order. */
    public List<ProposalEntity> list(String status, String loopId, String submittedBy, boolean newestFirst, int page, int size) {
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
