package dev.governor.killswitch.state;

/** Signs the canonical bytes of a kill-switch state (or of a message issuing it). */
@FunctionalInterface
public interface StateSigner {

    /**
     * @return the signature over {@code canonicalBytes}
     * @throws SigningFailedException when the key cannot sign (lost, revoked, hardware gone);
     *                                the control plane must then trip the switch
     */
    byte[] sign(byte[] canonicalBytes);
}
