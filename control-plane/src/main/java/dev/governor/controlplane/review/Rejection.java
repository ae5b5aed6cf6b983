package dev.governor.controlplane.review;

/** A safety officer's rejection: it ends the review. */
public record Rejection(String reason) {
}
