package dev.governor.controlplane.review;

/** The body of {@code POST /api/v1/proposals/{id}/approvals}: what exactly is approved. */
public record Approval(String digest, String decisionId, String comment) {
}
