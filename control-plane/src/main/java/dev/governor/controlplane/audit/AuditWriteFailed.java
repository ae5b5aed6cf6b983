package dev.governor.controlplane.audit;

/** CDI event: the audit log refused an append, so the action it recorded was rolled back. */
public record AuditWriteFailed(String error) {
}
