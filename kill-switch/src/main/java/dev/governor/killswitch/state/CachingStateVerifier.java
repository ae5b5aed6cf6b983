package dev.governor.killswitch.state;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers signatures that verified, so that several guards or followers in one process
 * verify each message once instead of once each. Only exact (bytes, signature) pairs that the
 * delegate accepted are remembered; concurrent checks of the same pair wait for one
 * verification. A rejected pair is never remembered and is checked again each time.
 */
public final class CachingStateVerifier implements StateVerifier {

    private final StateVerifier delegate;
    private final int capacity;
    private final ConcurrentHashMap<Signed, Boolean> verified = new ConcurrentHashMap<>();

    public CachingStateVerifier(StateVerifier delegate, int capacity) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public boolean verify(byte[] canonicalBytes, byte[] signature) {
        Signed key = new Signed(canonicalBytes.clone(), signature.clone());
        boolean valid = verified.computeIfAbsent(key, k -> delegate.verify(k.bytes(), k.signature()));
        if (!valid) {
            verified.remove(key, Boolean.FALSE);
        } else if (verified.size() > capacity) {
            // Only the latest few states are ever checked again; starting over is simpler than an LRU.
            verified.clear();
        }
        return valid;
    }

    private record Signed(byte[] bytes, byte[] signature) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Signed that && Arrays.equals(bytes, that.bytes) && Arrays.equals(signature, that.signature);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(bytes) + Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "Signed[" + bytes.length + " bytes]";
        }
    }
}
