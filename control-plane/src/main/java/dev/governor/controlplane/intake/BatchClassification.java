package dev.governor.controlplane.intake;

import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.proposal.Ancestry;
import dev.governor.controlplane.proposal.Proposal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch of intake records sorted, in record order, into new proposals (each with the lineage
 * Governor counted for it), duplicates (an id already received with the same content) and refusals
 * (malformed, or an id already received with other content). Pure: what the store knows is given.
 *
 * @param accepted per new proposal of the batch, its content digest and ancestry
 */
record BatchClassification(List<Refusal> refusals, List<String> duplicates, List<Pending> pending,
                           Map<String, Accepted> accepted) {

    /** Refusal codes of a record whose sender could not be established (audited as proposal.unauthenticated). */
    static final java.util.Set<String> UNAUTHENTICATED = java.util.Set.of("unsigned", "bad-signature", "unknown-loop", "loop-disabled",
            "not-envelope");

    /** A new proposal and the lineage Governor counted for it. */
    record Pending(IntakeRecord record, Proposal proposal, Ancestry ancestry) {
    }

    /** A proposal accepted but not yet stored, as a later record sees it: its content and its ancestry. */
    record Accepted(String contentDigest, Ancestry ancestry) {
    }

    /**
     * @param stored          content digest per proposal id already stored
     * @param unstored        proposals accepted by the batch before, not yet stored
     * @param childOfStored   per parent id already looked up in the store, the ancestry a child of it has
     */
    static BatchClassification classify(List<IntakeRecord> batch, Map<String, String> stored, Map<String, Accepted> unstored,
                                        Map<String, Ancestry> childOfStored) {
        List<Refusal> refusals = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        Map<String, Accepted> accepted = new HashMap<>();
        for (IntakeRecord record : batch) {
            if (record.isMalformed()) {
                String code = record.malformed().code();
                refusals.add(new Refusal(record, code, record.malformed().reason(), UNAUTHENTICATED.contains(code)
                        ? AuditEventType.PROPOSAL_UNAUTHENTICATED : AuditEventType.PROPOSAL_MALFORMED));
                continue;
            }
            Proposal proposal = record.proposal();
            String firstDigest = stored.get(proposal.proposalId());
            if (firstDigest == null) {
                Accepted earlier = accepted.getOrDefault(proposal.proposalId(), unstored.get(proposal.proposalId()));
                firstDigest = earlier == null ? null : earlier.contentDigest();
            }
            if (firstDigest == null) {
                Ancestry ancestry = ancestry(proposal.parentId(), accepted, unstored, childOfStored);
                pending.add(new Pending(record, proposal, ancestry));
                accepted.put(proposal.proposalId(), new Accepted(proposal.contentDigest(), ancestry));
            } else if (firstDigest.equals(proposal.contentDigest())) {
                duplicates.add(proposal.proposalId());
            } else {
                String reason = "conflict: proposal " + proposal.proposalId() + " was already received with digest "
                        + firstDigest + "; this one has digest " + proposal.contentDigest()
                        + ". A proposal id names one content forever: submit changed content under a new id.";
                refusals.add(new Refusal(record, "conflict", reason, AuditEventType.PROPOSAL_CONFLICT));
            }
        }
        return new BatchClassification(refusals, duplicates, pending, accepted);
    }

    /** A parent received in this batch or the one before is new, so never promoted: one generation more than it. */
    private static Ancestry ancestry(String parentId, Map<String, Accepted> accepted, Map<String, Accepted> unstored,
                                     Map<String, Ancestry> childOfStored) {
        if (parentId == null) {
            return Ancestry.ROOT;
        }
        Accepted parent = accepted.getOrDefault(parentId, unstored.get(parentId));
        if (parent != null) {
            return parent.ancestry().child();
        }
        return childOfStored.getOrDefault(parentId, Ancestry.UNKNOWN_PARENT);
    }
}
