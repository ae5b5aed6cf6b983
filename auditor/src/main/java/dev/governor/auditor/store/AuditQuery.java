package dev.governor.auditor.store;

import java.time.Instant;

/**
 * Filters of a regulator's query over the audit log (all optional, combined with AND), paged by
 * entry index: entries with index greater than {@code afterIndex}, at most {@code limit}.
 */
public record AuditQuery(String proposalId, String actor, String type, Instant from, Instant to,
                         String policyRevision, long afterIndex, int limit) {

    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ", was " + limit);
        }
        if (from != null && to != null && from.isAfter(to)) {
            throw new IllegalArgumentException("from " + from + " is after to " + to);
        }
    }

    /** All entries, first page of 100. */
    public static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, null, -1, 100);
    }

    public AuditQuery withProposalId(String value) {
        return new AuditQuery(value, actor, type, from, to, policyRevision, afterIndex, limit);
    }

    public AuditQuery withActor(String value) {
        return new AuditQuery(proposalId, value, type, from, to, policyRevision, afterIndex, limit);
    }

    public AuditQuery withType(String value) {
        return new AuditQuery(proposalId, actor, value, from, to, policyRevision, afterIndex, limit);
    }

    /** Entries that occurred at or after {@code start} and before {@code end}. */
    public AuditQuery between(Instant start, Instant end) {
        return new AuditQuery(proposalId, actor, type, start, end, policyRevision, afterIndex, limit);
    }

    public AuditQuery withPolicyRevision(String value) {
        return new AuditQuery(proposalId, actor, type, from, to, value, afterIndex, limit);
    }

    public AuditQuery page(long after, int size) {
        return new AuditQuery(proposalId, actor, type, from, to, policyRevision, after, size);
    }
}
