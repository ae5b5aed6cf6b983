package dev.governor.controlplane.proposal.api;

/** The answer to a submission: accepted into {@code rsi.proposals}, not yet decided. */
public record SubmissionReceipt(String proposalId, String contentDigest, String topic, int partition, long offset,
                                String location) {
}
