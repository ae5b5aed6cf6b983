package dev.governor.controlplane.intake;

import java.util.List;
import java.util.Map;

import dev.governor.controlplane.proposal.MalformedProposalException;
import dev.governor.controlplane.proposal.Proposal;
/**
 * One record read from {@code rsi.proposals}, after parsing: either a {@link Proposal} or the
 * reason it is not one. {@code valueSha256} identifies the raw bytes without keeping them twice;
 * {@code eventHeaders} are the CloudEvent's headers of a binary-mode record ({@code ce_*},
 * {@code content-type}), which a dead letter carries on with the value.
 */
public record IntakeRecord(
        String topic,
        int partition,
        long offset,
        String key,
        byte[] rawValue,
        int valueBytes,
        String valueSha256,
        String traceId,
        Proposal proposal,
        MalformedProposalException malformed,
        List<Map.Entry<String, byte[]>> eventHeaders) {

    public boolean isMalformed() {
        return malformed != null;
    }

    /** Where the record was read: {@code topic/partition/offset}, as audit entries and dead letters name it. */
    public String position() {
        return topic + "/" + partition + "/" + offset;
    }
}
