package dev.governor.controlplane.loop;


import java.time.OffsetDateTime;
import java.util.Base64;

/**
 * One proposal-signing key of a loop, valid from {@code notBefore} until {@code notAfter} (open
 * when null) unless revoked. Rotation is adding the next key with an overlapping window, then
 * letting the old one end.
 *
 * @param publicKey base64 of the raw 32-byte Ed25519 public key
 */
public record LoopKey(String keyId, String loopId, String publicKey, OffsetDateTime notBefore, OffsetDateTime notAfter,
                     OffsetDateTime revokedAt, String addedBy, OffsetDateTime addedAt) {

    /** Null when the key may sign at {@code at}; else why not, in words. */
    public String invalidAt(OffsetDateTime at) {
        if (revokedAt != null && !at.isBefore(revokedAt)) {
            return "key " + keyId + " of loop " + loopId + " was revoked at " + revokedAt;
        }
        if (at.isBefore(notBefore)) {
            return "key " + keyId + " of loop " + loopId + " is valid only from " + notBefore;
        }
        if (notAfter != null && !at.isBefore(notAfter)) {
            return "key " + keyId + " of loop " + loopId + " expired at " + notAfter;
        }
        return null;
    }

    /** The raw 32 bytes of the public key. */
    byte[] rawPublicKey() {
        return Base64.getDecoder().decode(publicKey);
    }
}
