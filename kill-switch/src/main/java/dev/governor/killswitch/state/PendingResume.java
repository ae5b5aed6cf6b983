package dev.governor.killswitch.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The first safety officer's request to resume, waiting for a second, different officer.
 * It lapses at {@code expiresAt} (the request time plus the resume window in force then).
 */
public record PendingResume(String officer, String reason, Instant requestedAt, Instant expiresAt) {

    public PendingResume {
        Objects.requireNonNull(officer, "officer");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(requestedAt, "requestedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (expiresAt.isBefore(requestedAt)) {
            throw new IllegalArgumentException("a pending resume cannot expire (" + expiresAt + ") before it was requested (" + requestedAt + ")");
        }
    }

    /** Whether a second request at {@code now} still counts; the window's end is inclusive. */
    public boolean isOpenAt(Instant now) {
        return !now.isAfter(expiresAt);
    }
}
