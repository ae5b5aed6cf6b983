package dev.governor.killswitch.state;

/** Checks signatures made by a {@link StateSigner}. Never throws on a bad signature: it answers false. */
@FunctionalInterface
public interface StateVerifier {

    boolean verify(byte[] canonicalBytes, byte[] signature);
}
