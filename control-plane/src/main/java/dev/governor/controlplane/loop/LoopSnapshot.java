package dev.governor.controlplane.loop;

import dev.governor.auditor.dsse.Ed25519Verifier;
import dev.governor.auditor.dsse.DsseException;
import dev.governor.auditor.dsse.Envelope;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry as of one revision, immutable: looks up loops and establishes who signed an
 * envelope. Safe to share between threads.
 */
public final class LoopSnapshot {
    private final long revision;
    private final Map<String, Loop> loops;
    private final Map<String, LoopKey> keys = new HashMap<>();
    private final Map<String, FastEd25519> verifiers = new HashMap<>();
    private final String apiKeyId;
    private final FastEd25519 apiKey;

    public LoopSnapshot(long revision, Map<String, Loop> loops, Ed25519Verifier apiKey) {
        this.revision = revision;
        this.loops = Map.copyOf(loops);
        this.apiKeyId = apiKey.keyId();
        this.apiKey = new FastEd25519(apiKey.publicKey());
        for (Loop loop : loops.values()) {
            for (LoopKey key : loop.keys()) {
                keys.put(key.keyId(), key);
                verifiers.put(key.keyId(), new FastEd25519(key.rawPublicKey()));
            }
        }
    }

    /** Every registered loop, by id. */
    public List<Loop> loops() {
        return List.copyOf(new java.util.TreeMap<>(loops).values());
    }

    public long revision() {
        return revision;
    }

    /** The loop registered under this id, or null. */
    public Loop loop(String loopId) {
        return loopId == null ? null : loops.get(loopId);
    }

    /**
     * Who signed the envelope: the first signature that verifies with Governor's API key or
     * with a registered loop key valid at {@code at}. Signatures are looked up by their key id;
     * the payload is not looked at here.
     *
     * @throws DsseException {@code unsigned} without signatures, else {@code bad-signature} with the
     *                    reason of the first signature that failed
     */
    public Signer verify(Envelope envelope, OffsetDateTime at) throws DsseException {
        if (envelope.signatures().isEmpty()) {
            throw new DsseException("unsigned", "the envelope carries no signature");
        }
        String problem = null;
        byte[] pae = envelope.pae();
        for (Envelope.Signature s : envelope.signatures()) {
            String why;
            if (s.keyid().isEmpty()) {
                why = "a signature names no keyid; Governor finds keys by id (hex SHA-256 of the raw public key)";
            } else if (s.keyid().equals(apiKeyId)) {
                if (apiKey.verifies(pae, s)) {
                    return new Signer(Signer.Kind.GOVERNOR_API, null, s.keyid(), s);
                }
                why = "the signature naming Governor's API key does not verify over this payload";
            } else {
                LoopKey key = keys.get(s.keyid());
                if (key == null) {
                    why = "key " + s.keyid() + " is not registered for any loop";
                } else if ((why = key.invalidAt(at)) == null) {
                    if (verifiers.get(key.keyId()).verifies(pae, s)) {
                        return new Signer(Signer.Kind.LOOP_KEY, key.loopId(), key.keyId(), s);
                    }
                    why = "the signature by key " + key.keyId() + " of loop " + key.loopId() + " does not verify over this payload";
                }
            }
            problem = problem == null ? why : problem;
        }
        throw new DsseException("bad-signature", problem);
    }
}
