package dev.governor.controlplane.intake;

import dev.governor.controlplane.audit.AuditEventType;

/** A record for the dead-letter topic, with the reason for its {@code governor-error} header and the audit entry it gets. */
public record Refusal(IntakeRecord record, String code, String reason, AuditEventType type) {
}
