package dev.governor.killswitch.propagation;

import java.time.Instant;

/** Told by a {@link ControlTopicFollower} about each message it accepts or ignores, on the follower's thread. */
public interface ControlListener {

    /** A verified message with a higher epoch, or a heartbeat (same state, later {@code issuedAt}). */
    void onVerified(ControlMessage message, Instant receivedAt);

    /** A record that was not accepted, and why. Most listeners only need {@link #onVerified}. */
    default void onIgnored(IgnoredRecord ignored) {
    }

    /** A record on the control topic that a follower did not accept. */
    record IgnoredRecord(int partition, long offset, Long epoch, String reason) {
    }
}
