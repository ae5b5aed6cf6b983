package dev.governor.controlplane.loop;

import dev.governor.auditor.dsse.Envelope;

/**
 * Who signed a proposal's envelope, as Governor established it: one of a registered loop's keys,
 * or Governor's own API key (a proposal submitted over HTTP by an authenticated subject).
 *
 * @param loopId the loop whose key signed; null for Governor's API key
 */
public record Signer(Kind kind, String loopId, String keyId, Envelope.Signature signature) {

    public enum Kind { LOOP_KEY, GOVERNOR_API }
}
