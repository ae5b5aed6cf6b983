package dev.governor.controlplane.intake;

import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.gate.CapabilityHistory;
import dev.governor.controlplane.gate.DecisionRecorder;
import dev.governor.controlplane.gate.PolicyGate;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.killswitch.state.PauseState;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch of intake records sorted, in record order, into new proposals (each with the context the
 * policy decides it in), duplicates (an id already received with the same content) and refusals
 * (malformed, or an id already received with other content). Pure: what the store knows is given.
 *
 * @param accepted    proposal id to content digest of every new proposal of the batch
 * @param lowestAfter per loop of the batch, the lowest score per domain once its own scores count
 */
record BatchClassification(List<Refusal> refusals, List<String> duplicates, List<Pending> pending,
                           Map<String, String> accepted,
                           Map<String, Map<String, PolicyGate.CapabilityObservation>> lowestAfter) {

    /** A new proposal and the context it is decided in. */
    record Pending(IntakeRecord record, Proposal proposal, PolicyGate.Context context) {
    }

    /**
     * @param known  content digest per proposal id already received (stored, or accepted by the batch before)
     * @param lowest per loop, its lowest recent score per domain; the batch's own scores are added as it goes
     */
    static BatchClassification classify(List<IntakeRecord> batch, Map<String, String> known,
                                        Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest,
                                        PauseState halt, OffsetDateTime now) {
        List<Refusal> refusals = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        Map<String, String> accepted = new HashMap<>();
        Map<String, Map<String, PolicyGate.CapabilityObservation>> lowestAfter = new HashMap<>();
        for (IntakeRecord record : batch) {
            if (record.isMalformed()) {
                refusals.add(new Refusal(record, record.malformed().code(), record.malformed().reason(), AuditEventType.PROPOSAL_MALFORMED));
                continue;
            }
            Proposal proposal = record.proposal();
            String firstDigest = known.getOrDefault(proposal.proposalId(), accepted.get(proposal.proposalId()));
            if (firstDigest == null) {
                // Earlier proposals of the same loop in this batch count for the rate rule.
                Map<String, PolicyGate.CapabilityObservation> loop = lowest.computeIfAbsent(proposal.loopId(), k -> new HashMap<>());
                pending.add(new Pending(record, proposal, DecisionRecorder.context(proposal, loop, halt)));
                CapabilityHistory.observations(proposal, now).forEach(o -> CapabilityHistory.lower(loop, o));
                lowestAfter.put(proposal.loopId(), loop);
                accepted.put(proposal.proposalId(), proposal.contentDigest());
            } else if (firstDigest.equals(proposal.contentDigest())) {
                duplicates.add(proposal.proposalId());
            } else {
                String reason = "conflict: proposal " + proposal.proposalId() + " was already received with digest "
                        + firstDigest + "; this one has digest " + proposal.contentDigest()
                        + ". A proposal id names one content forever: submit changed content under a new id.";
                refusals.add(new Refusal(record, "conflict", reason, AuditEventType.PROPOSAL_CONFLICT));
            }
        }
        return new BatchClassification(refusals, duplicates, pending, accepted, lowestAfter);
    }
}
